import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InstancesStatus, SubscriptionStore } from 'nestjs-event-sourcing';
import { InstanceRegistry } from '../../lib/core/instance-registry.js';
import { SCHEDULER_LEASE } from '../../lib/saga/saga.constants.js';
import { shippingTestModule } from '../support/saga-shipping.domain.js';

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('InstancesStatus (in memory)', () => {
  it('puts every lease of this process, the timeout scheduler included, under its instance id', async () => {
    app = await (
      await Test.createTestingModule({
        imports: [shippingTestModule({ type: 'memory' })],
      }).compile()
    ).init();
    const subscriptions = app.get(SubscriptionStore);
    const deadline = Date.now() + 5_000;
    while ((await subscriptions.load(SCHEDULER_LEASE))?.leaseOwner === undefined) {
      if (Date.now() > deadline) throw new Error('the scheduler never took its lease');
      await sleep(20);
    }
    const id = app.get(InstanceRegistry).instanceId;
    expect((await subscriptions.load(SCHEDULER_LEASE))?.leaseOwner).toBe(id);

    const report = await app.get(InstancesStatus).report();
    expect(report.thisInstance).toBe(id);
    expect(report.instances).toHaveLength(1);
    expect(report.instances[0]).toMatchObject({
      instanceId: id,
      state: 'live',
      isThisInstance: true,
    });
    expect(report.instances[0].leases.map((l) => `${l.kind}:${l.name}`)).toEqual(
      expect.arrayContaining(['saga:shipping', `scheduler:${SCHEDULER_LEASE}`]),
    );
  });
});
