import { TypeOrmEventStore } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountBalance } from '../../sample-app/src/read-models/account-balance.entity.js';
import { AccountTransaction } from '../../sample-app/src/read-models/account-transaction.entity.js';
import { auditBankDatabase, type BankAudit } from '../support/bank-audit.js';
import {
  buildSampleApp,
  killSampleApps,
  startSampleApp,
  type SampleAppProcess,
} from '../support/sample-app-process.js';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../support/test-databases.js';

const LOAD_MS = 4_000; // before the kill, and again after the restart
const EVERY_MS = 100; // about 10 transfers a second
// No process runs for longer than the transfer timeout: the timeouts of the transfers the kill
// left half-way fall due meanwhile (ordered time decides which wins after the restart).
const DOWNTIME_MS = 3_000;
const ACCOUNTS = 6;
const DEPOSIT = 10_000;

beforeAll(buildSampleApp, 180_000);
afterAll(killSampleApps);

/**
 * Drill: the sample app runs as `npm start` runs it, in a child process; under load it is killed
 * with SIGKILL (requests in flight, transfers half-way), a new process starts on the same
 * database and takes over. Afterwards every transfer is settled, no money is lost or made, and
 * every read-model row stands for exactly one event.
 */
describe.each(['postgres', 'mariadb'] as const)('bank kill drill on %s', (kind) => {
  let db: TestDatabase;
  let reader: DataSource;
  let store: TypeOrmEventStore;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    reader = await db.connect({ entities: [AccountBalance, AccountTransaction] });
    store = new TypeOrmEventStore(reader, { schema: db.schema });
    const url = (db.options as { url: string }).url;
    env =
      kind === 'postgres'
        ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: db.schema! }
        : { DATABASE_URL: url };
    env.TRANSFER_DEBIT_TIMEOUT = '2s';
  }, 60_000);
  afterAll(async () => {
    await killSampleApps();
    await db?.drop();
  });

  it('settles every transfer after a SIGKILL mid-load and a restart, and conserves money', async () => {
    let app: SampleAppProcess = await startSampleApp(env);
    const started = Date.now();
    const post = async (path: string, body: object) => {
      const res = await fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text || '{}') as Record<string, unknown> };
    };

    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const opened = await post('/accounts', { owner: `k${i}` });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const accountId = opened.body.accountId as string;
      expect((await post(`/accounts/${accountId}/deposits`, { amount: DEPOSIT })).status).toBe(201);
      accounts.push(accountId);
    }
    const before = ACCOUNTS * DEPOSIT;

    const answers = new Map<string, number>();
    const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
    const inFlight = new Set<Promise<unknown>>();
    const requests: Promise<unknown>[] = [];
    let n = 0;
    const transfer = () => {
      const i = n++;
      const from = accounts[i % ACCOUNTS];
      const to = accounts[(i + 1 + (i % (ACCOUNTS - 1))) % ACCOUNTS];
      const sent = post('/transfers', { from, to, amount: 1 + ((i * 37) % 1500) }).then(
        (res) => void count(String(res.status)),
        () => void count('no answer'),
      );
      inFlight.add(sent);
      void sent.then(() => inFlight.delete(sent));
      requests.push(sent);
      return sent;
    };
    const load = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end;) {
        void transfer();
        await new Promise((r) => setTimeout(r, EVERY_MS));
      }
    };

    await load(LOAD_MS);
    // A burst, and the kill as soon as its first answer is back: the rest are still in flight and
    // the answered transfer is only requested (its process has not run yet).
    const burst = Array.from({ length: 5 }, transfer);
    await Promise.race(burst);
    const inFlightAtKill = inFlight.size;
    await app.kill();
    const killedAt = Date.now();
    const atKill = await auditBankDatabase(store, reader);
    await new Promise((r) => setTimeout(r, DOWNTIME_MS - (Date.now() - killedAt)));

    app = await startSampleApp(env);
    const restartMs = Date.now() - killedAt;
    await load(LOAD_MS);
    await Promise.all(requests);
    const loadEnded = Date.now();

    // Catch-up: the new process takes the killed one's work over (timeouts are real time here).
    let audit: BankAudit | undefined;
    let auditError: unknown;
    const deadline = Date.now() + 40_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      audit = await auditBankDatabase(store, reader).catch((e: unknown) => void (auditError = e));
    } while (
      Date.now() < deadline &&
      (!audit || audit.broken.length > 0 || audit.readModelErrors.length > 0)
    );
    // The app's own read endpoint agrees with the database.
    let served = 0;
    for (const id of accounts) {
      const res = await fetch(`${app.url}/accounts/${id}`);
      served += Number(((await res.json()) as { balance: number }).balance);
    }
    const [{ parked }] = await reader.query<{ parked: string | number }[]>(
      'SELECT COUNT(*) AS parked FROM es_saga_failures',
    );
    console.log(
      `bank kill drill on ${kind}: ${JSON.stringify({
        killedAfterMs: killedAt - started,
        inFlightAtKill,
        unsettledAtKill: atKill.broken.length,
        restartMs,
        catchUpMs: Date.now() - loadEnded,
        answers: Object.fromEntries(answers),
        transfers: audit?.transfers,
        completed: audit?.completed,
        refunded: audit?.compensated,
        failed: audit?.failed,
        broken: audit?.broken,
        readModelErrors: audit?.readModelErrors.length,
        auditError: audit ? undefined : String(auditError),
        moneyBefore: before,
        moneyAfter: audit?.balances,
        moneyServed: served,
        parked: Number(parked),
      })}`,
    );
    // The kill did catch transfers half-way (requested, or debited and not credited yet).
    expect(atKill.broken.length).toBeGreaterThan(0);
    expect(audit!.broken).toEqual([]);
    expect(audit!.readModelErrors).toEqual([]);
    expect(audit!.expectedMoney).toBe(before);
    expect(audit!.balances).toBe(before);
    expect(served).toBe(before);
    expect(Number(parked)).toBe(0);
    expect(audit!.transfers).toBeGreaterThan(40);
    expect(audit!.completed + audit!.compensated + audit!.failed).toBe(audit!.transfers);
  }, 120_000);
});
