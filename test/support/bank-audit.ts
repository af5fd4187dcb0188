import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { EventStore, type LogEvent } from 'nestjs-event-sourcing';
import type { DataSource } from 'typeorm';
import { AccountBalance } from '../../sample-app/src/read-models/account-balance.entity.js';
import { AccountTransaction } from '../../sample-app/src/read-models/account-transaction.entity.js';

/** What the bank's event log and read models say after a drill. */
export interface BankAudit {
  transfers: number;
  completed: number;
  compensated: number;
  /** Refused at the debit, or given up before any debit: no money moved. */
  failed: number;
  /** Transfers whose money is not where their outcome says (pending, debited-only, ...). */
  broken: string[];
  /** Deposits minus withdrawals made directly (not by transfers), from the log. */
  expectedMoney: number;
  /** The sum of the balances in the read model. */
  balances: number;
  /** Read-model problems: a row without its event, an event without its row, a wrong balance. */
  readModelErrors: string[];
}

interface TransferData {
  transferId: string;
  from: string;
  to: string;
  amount: number;
}
interface MoneyData {
  accountId: string;
  amount: number;
  transferId?: string;
}

export function auditBank(app: INestApplication): Promise<BankAudit> {
  return auditBankDatabase(app.get(EventStore), app.get<DataSource>(getDataSourceToken()));
}

/**
 * The audit from the database alone (a drill whose app runs in another process): `db` must know
 * the read-model entities, `AccountBalance` and `AccountTransaction`.
 */
export async function auditBankDatabase(store: EventStore, db: DataSource): Promise<BankAudit> {
  const events = await readWholeLog(store);
  const requested = new Map<string, TransferData>();
  const outcome = new Map<string, string>();
  const legs = new Map<string, { debit: number; credit: number; refund: number }>();
  const perAccount = new Map<string, number>();
  const moneyEvents = new Set<string>();
  let expectedMoney = 0;
  for (const e of events) {
    if (e.type === 'bank.transfer-requested') {
      const data = e.data as TransferData;
      requested.set(data.transferId, data);
    } else if (e.type === 'bank.transfer-completed') outcome.set(transferOf(e), 'completed');
    else if (e.type === 'bank.transfer-compensated') outcome.set(transferOf(e), 'compensated');
    else if (e.type === 'bank.transfer-failed') outcome.set(transferOf(e), 'failed');
  }
  for (const e of events) {
    if (e.type !== 'bank.money-deposited' && e.type !== 'bank.money-withdrawn') continue;
    moneyEvents.add(e.eventId);
    const data = e.data as MoneyData;
    const signed = e.type === 'bank.money-deposited' ? data.amount : -data.amount;
    perAccount.set(data.accountId, (perAccount.get(data.accountId) ?? 0) + signed);
    if (!data.transferId) {
      expectedMoney += signed;
      continue;
    }
    const transfer = requested.get(data.transferId);
    const leg = legs.get(data.transferId) ?? { debit: 0, credit: 0, refund: 0 };
    if (signed < 0) leg.debit += data.amount;
    else if (data.accountId === transfer?.to) leg.credit += data.amount;
    else leg.refund += data.amount;
    legs.set(data.transferId, leg);
  }
  const broken: string[] = [];
  const counts = { completed: 0, compensated: 0, failed: 0 };
  for (const [id, transfer] of requested) {
    const status = outcome.get(id) ?? 'requested';
    const { debit, credit, refund } = legs.get(id) ?? { debit: 0, credit: 0, refund: 0 };
    const a = transfer.amount;
    const ok =
      (status === 'completed' && debit === a && credit === a && refund === 0) ||
      (status === 'compensated' && debit === a && credit === 0 && refund === a) ||
      (status === 'failed' && debit === 0 && credit === 0 && refund === 0);
    if (ok) counts[status]++;
    else
      broken.push(`${id}: ${status}, debit ${debit}, credit ${credit}, refund ${refund} of ${a}`);
  }

  const readModelErrors: string[] = [];
  const rows = await db.getRepository(AccountTransaction).find({ select: { eventId: true } });
  const rowIds = rows.map((r) => r.eventId);
  if (new Set(rowIds).size !== rowIds.length) readModelErrors.push('duplicate transaction rows');
  for (const id of rowIds) if (!moneyEvents.has(id)) readModelErrors.push(`row ${id} has no event`);
  const rowSet = new Set(rowIds);
  for (const id of moneyEvents) if (!rowSet.has(id)) readModelErrors.push(`event ${id} has no row`);
  const balances = await db.getRepository(AccountBalance).find();
  let sum = 0;
  for (const row of balances) {
    sum += Number(row.balance);
    const expected = perAccount.get(row.id) ?? 0;
    if (Number(row.balance) !== expected) {
      readModelErrors.push(`balance of ${row.id} is ${row.balance}, its events say ${expected}`);
    }
  }
  return {
    transfers: requested.size,
    ...counts,
    broken,
    expectedMoney,
    balances: sum,
    readModelErrors,
  };
}

function transferOf(e: LogEvent): string {
  return (e.data as { transferId: string }).transferId;
}

async function readWholeLog(store: EventStore): Promise<LogEvent[]> {
  const all: LogEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    all.push(...page.events);
    after = page.checkpoint;
    if (page.isEnd && page.events.length === 0) return all;
    if (page.events.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
}
