import { describe, expect, it } from 'vitest';
import { renderInstances } from '../../lib/cli/instances.command.js';
import { renderForwarders } from '../../lib/cli/forwarders.command.js';
import { leasedWorkerOf, type InstancesReport } from '../../lib/nest/instances-status.js';

const NOW = Date.parse('2026-12-02T00:40:00Z');
const at = (msFromNow: number) => new Date(NOW + msFromNow);

describe('the instances table', () => {
  it('tells a worker kind from its subscription name', () => {
    expect(leasedWorkerOf('balances')).toEqual({ kind: 'projection', name: 'balances' });
    expect(leasedWorkerOf('tallies#3')).toEqual({ kind: 'projection', name: 'tallies#3' });
    expect(leasedWorkerOf('saga:transfer')).toEqual({ kind: 'saga', name: 'transfer' });
    expect(leasedWorkerOf('forward:bank')).toEqual({ kind: 'forwarder', name: 'bank' });
    expect(leasedWorkerOf('$scheduler')).toEqual({ kind: 'scheduler', name: '$scheduler' });
  });

  it('shows a gone instance with when its leases expire, unregistered holders and unheld workers', () => {
    const report: InstancesReport = {
      thisInstance: 'cli:1:aaaa',
      instances: [
        {
          instanceId: 'web-1:41:ab12cd34',
          state: 'live',
          heartbeatAt: at(-1_200),
          heartbeatAgeMs: 1_200,
          isThisInstance: false,
          leases: [
            {
              subscription: 'balances',
              kind: 'projection',
              name: 'balances',
              state: 'running',
              expiresAt: at(25_000),
            },
            {
              subscription: '$scheduler',
              kind: 'scheduler',
              name: '$scheduler',
              state: 'running',
              expiresAt: at(25_000),
            },
          ],
        },
        {
          instanceId: 'web-2:42:ef56ab78',
          state: 'gone',
          heartbeatAt: at(-14_000),
          heartbeatAgeMs: 14_000,
          isThisInstance: false,
          leases: [
            {
              subscription: 'audit',
              kind: 'projection',
              name: 'audit',
              state: 'running',
              expiresAt: at(12_000),
            },
            {
              subscription: 'forward:bank',
              kind: 'forwarder',
              name: 'bank',
              state: 'running',
              expiresAt: at(16_000),
            },
          ],
        },
        {
          instanceId: 'script:7:0000',
          state: 'unregistered',
          heartbeatAt: undefined,
          heartbeatAgeMs: undefined,
          isThisInstance: false,
          leases: [
            {
              subscription: 'saga:transfer',
              kind: 'saga',
              name: 'transfer',
              state: 'running',
              expiresAt: at(5_000),
            },
          ],
        },
      ],
      unheld: [
        {
          subscription: 'ledger',
          kind: 'projection',
          name: 'ledger',
          state: 'failed',
          expiresAt: undefined,
        },
      ],
    };
    expect(renderInstances(report, NOW).split('\n')).toEqual([
      'INSTANCE           STATE         HEARTBEAT  LEASES  PROJECTIONS  SAGAS     FORWARDERS  SCHEDULER',
      'web-1:41:ab12cd34  live          1s ago          2  balances     -         -           $scheduler',
      'web-2:42:ef56ab78  gone          14s ago         2  audit        -         bank        -',
      'script:7:0000      unregistered  -               1  -            transfer  -           -',
      'note: web-2:42:ef56ab78 stopped beating; its leases expire in 16s at the latest, then the live instances take them',
      'not held by any instance now: ledger (failed)',
    ]);
  });

  it('says so when no instance runs workers', () => {
    expect(renderInstances({ thisInstance: 'x', instances: [], unheld: [] }, NOW)).toBe(
      'No instance runs workers now (no heartbeat, no lease held).',
    );
  });

  it('marks a stored forwarder the application no longer configures, and shortens long errors', () => {
    const table = renderForwarders([
      {
        name: 'old',
        subscription: 'forward:old',
        state: 'failed',
        configured: false,
        checkpoint: '7',
        position: 7,
        headPosition: 10,
        lag: 3,
        leaseOwner: undefined,
        leaseExpiresAt: undefined,
        lastError: 'x'.repeat(100),
        failedAt: at(-1),
        failedPosition: 8,
      },
    ]);
    const [header, row] = table.split('\n');
    expect(header).toMatch(
      /^NAME\s+STATE\s+POSITION\s+HEAD\s+LAG\s+LEASE\s+LEASE UNTIL\s+LAST ERROR$/,
    );
    expect(row).toMatch(/^old \(not configured\)\s+failed\s+7\s+10\s+3\s+-\s+-\s+at 8: x+…$/);
    expect(row.length).toBeLessThan(header.length + 70);
  });
});
