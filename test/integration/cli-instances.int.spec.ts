import {
  Injectable,
  Module,
  type DynamicModule,
  type INestApplicationContext,
} from '@nestjs/common';
import { CqrsModule, type IEvent } from '@nestjs/cqrs';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMPTY, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainEvent,
  DurableSaga,
  EventForwarders,
  EventForwardingModule,
  EventSourcingModule,
  EventStore,
  Projection,
  ProjectionHandler,
  ProjectionManager,
  SagaManager,
} from 'nestjs-event-sourcing';
import { InstanceRegistry } from '../../lib/core/instance-registry.js';
import type { InstancesReport } from '../../lib/nest/instances-status.js';
import { runCli } from '../support/cli-harness.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

const NATS = 'nats://127.0.0.1:4222';

@DomainEvent('instances_test.pinged')
class Pinged {}

function projection(name: string) {
  @Injectable()
  @Projection(name, { pollIntervalMs: 50 })
  class P {
    @ProjectionHandler(Pinged) pinged() {}
  }
  return P;
}
const PROJECTIONS = ['inst_a', 'inst_b', 'inst_c'].map(projection);

/** Inline: it runs inside each append, holds no lease, and is no worker to list. */
@Injectable()
@Projection('inst_inline', { mode: 'inline' })
class InlinePings {
  @ProjectionHandler(Pinged) pinged() {}
}

@Injectable()
class PingSagas {
  @DurableSaga('inst-pings', { events: [Pinged], pollIntervalMs: 50 })
  pings = (events$: Observable<IEvent>) => (events$.subscribe(), EMPTY);
}

@Module({})
class InstancesTestModule {}

/**
 * Three projections, a durable saga and a forwarder (a real NATS client: core NATS drops what
 * nobody subscribes to, which is all this test needs): five balanced workers.
 */
function appModule(db: TestDatabase, client: ClientProxy): DynamicModule {
  return {
    module: InstancesTestModule,
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema }),
      EventSourcingModule.forFeature([], { events: [Pinged] }),
      EventForwardingModule.forRoot({
        forwarders: [{ name: 'inst-out', client, pattern: 'instances_test', pollIntervalMs: 50 }],
      }),
    ],
    providers: [...PROJECTIONS, InlinePings, PingSagas],
  };
}

/** The workers whose lease this instance holds, as the CLI names them (`forward:`, `saga:`). */
async function heldBy(app: INestApplicationContext): Promise<string[]> {
  const projections = (await app.get(ProjectionManager).status())
    .filter((s) => s.isLeaseOwner)
    .map((s) => s.name);
  const sagas = (await app.get(SagaManager).status())
    .filter((s) => s.isLeaseOwner)
    .map((s) => `saga:${s.name}`);
  const forwarders = app
    .get(EventForwarders)
    .status()
    .filter((s) => s.isLeaseOwner)
    .map((s) => s.subscription);
  return [...projections, ...sagas, ...forwarders].sort();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe.each<DatabaseKind>(['postgres', 'mariadb', 'sqlite'])(
  'instances and forwarders status on %s',
  (kind) => {
    let db: TestDatabase;
    let client: ClientProxy;
    let cli: DynamicModule;
    const apps: INestApplicationContext[] = [];
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [appModule(db, client)],
      }).compile();
      const app = await moduleRef.init();
      apps.push(app);
      return app;
    };
    const idOf = (app: INestApplicationContext) => app.get(InstanceRegistry).instanceId;

    beforeAll(async () => {
      db = await createTestDatabase(kind);
      client = ClientProxyFactory.create({
        transport: Transport.NATS,
        options: { servers: [NATS] },
      });
      cli = appModule(db, client);
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await client?.close();
      await db?.drop();
    });

    it('shows each live instance with the leases it holds, as the instances themselves report', async () => {
      const first = await boot();
      const second = await boot();
      await until('the five leases split three and two', async () => {
        const counts = [(await heldBy(first)).length, (await heldBy(second)).length].sort();
        return counts[0] === 2 && counts[1] === 3;
      });
      await first
        .get(EventStore)
        .appendToStream('ping-1', [{ type: 'instances_test.pinged', data: {} }]);
      await first.get(EventForwarders).waitForCatchUp('inst-out', { timeoutMs: 20_000 });

      const run = await runCli(cli, 'instances', '--json');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as InstancesReport;
      const ids = [idOf(first), idOf(second)].sort();
      expect(report.instances.map((i) => i.instanceId).sort()).toEqual(ids);
      for (const app of [first, second]) {
        const row = report.instances.find((i) => i.instanceId === idOf(app))!;
        expect(row).toMatchObject({ state: 'live', isThisInstance: false });
        expect(row.heartbeatAgeMs).toBeLessThan(10_000);
        expect(row.leases.map((l) => l.subscription).sort()).toEqual(await heldBy(app));
        for (const lease of row.leases) expect(lease.state).toBe('running');
      }
      expect(report.unheld).toEqual([]);
      expect(report.thisInstance).not.toBe(idOf(first)); // the CLI is none of the instances

      // The table: one line per instance, naming what it holds in its kind's column.
      const table = await runCli(cli, 'instances');
      expect(table.code).toBe(0);
      console.log(`[instances on ${kind}]\n${table.stdout}`);
      const [header, ...lines] = table.stdout.trimEnd().split('\n');
      expect(header).toMatch(
        /^INSTANCE\s+STATE\s+HEARTBEAT\s+LEASES\s+PROJECTIONS\s+SAGAS\s+FORWARDERS$/,
      );
      for (const app of [first, second]) {
        const line = lines.find((l) => l.startsWith(idOf(app)))!;
        const held = await heldBy(app);
        expect(line).toMatch(
          new RegExp(`^${idOf(app)}\\s+live\\s+\\d+(ms|s) ago\\s+${held.length}\\s`),
        );
        for (const worker of held) {
          expect(line).toContain(worker.replace(/^(saga|forward):/, ''));
        }
      }

      // The status API of either instance names the holder of every lease.
      const byWorker = new Map(
        report.instances.flatMap((i) => i.leases.map((l) => [l.subscription, i.instanceId])),
      );
      for (const app of [first, second]) {
        for (const p of await app.get(ProjectionManager).status()) {
          if (p.mode === 'inline') continue;
          expect(p.leaseOwner).toBe(byWorker.get(p.name));
        }
        const [saga] = await app.get(SagaManager).status();
        expect(saga.leaseOwner).toBe(byWorker.get('saga:inst-pings'));
      }

      // forwarders status: where it stands and who publishes.
      const forwarders = await runCli(cli, 'forwarders', 'status', '--json');
      expect(forwarders.code).toBe(0);
      const [out] = JSON.parse(forwarders.stdout) as Record<string, unknown>[];
      expect(out).toMatchObject({
        name: 'inst-out',
        subscription: 'forward:inst-out',
        state: 'running',
        configured: true,
        lag: 0,
        leaseOwner: byWorker.get('forward:inst-out'),
      });
      expect(out.position).toBeGreaterThan(0);
      const forwardersTable = await runCli(cli, 'forwarders', 'status');
      expect(forwardersTable.stdout).toMatch(
        /^NAME\s+STATE\s+POSITION\s+HEAD\s+LAG\s+LEASE\s+LEASE UNTIL\s+LAST ERROR$/m,
      );
      expect(forwardersTable.stdout).toMatch(
        new RegExp(
          `^inst-out\\s+running\\s+\\d+\\s+\\d+\\s+0\\s+${byWorker.get('forward:inst-out')}\\s+\\S+Z\\s+-$`,
          'm',
        ),
      );
    }, 90_000);

    it('shows a stopped heartbeat as gone, and one instance holding everything once the other left', async () => {
      const [first, second] = apps;
      // An instance that stopped beating (killed) leaves its row behind until it is cleaned up.
      // (PostgreSQL: the test's schema is on the search path.)
      const values = kind === 'postgres' ? '($1, $2)' : '(?, ?)';
      await db.dataSource.query(
        `INSERT INTO es_instances (instance_id, heartbeat_at) VALUES ${values}`,
        ['ghost:1:deadbeef', Date.now() - 120_000],
      );

      await second.close(); // graceful: its heartbeat row and its leases go at once
      apps.splice(apps.indexOf(second), 1);
      await until(
        'the first instance holds all five',
        async () => (await heldBy(first)).length === 5,
      );

      const report = JSON.parse(
        (await runCli(cli, 'instances', '--json')).stdout,
      ) as InstancesReport;
      expect(report.instances.map((i) => [i.instanceId, i.state, i.leases.length])).toEqual([
        [idOf(first), 'live', 5],
        ['ghost:1:deadbeef', 'gone', 0],
      ]);
      const text = (await runCli(cli, 'instances')).stdout;
      console.log(`[instances on ${kind}, one left]\n${text}`);
      expect(text).toMatch(/^ghost:1:deadbeef\s+gone\s+\d+(s|m\d+s) ago\s+0\s+-\s+-\s+-$/m);
      expect(text).toMatch(
        new RegExp(
          `^${idOf(first)}\\s+live\\s.*inst_a, inst_b, inst_c\\s+inst-pings\\s+inst-out$`,
          'm',
        ),
      );
    }, 90_000);
  },
);
