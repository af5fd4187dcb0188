/**
 * What holds readers of the global log back right now: on PostgreSQL the transaction holding this
 * database's read horizon, on MySQL/MariaDB the transaction holding the append lock.
 */
export interface HeldBackCause {
  /** The holder's identity (a transaction id): a new holder starts a new episode. */
  key: string;
  /** How long it has held readers back, in ms (its transaction's age where the server says). */
  ageMs: number;
  /** One line for an operator: who holds it and what to do. */
  description: string;
  /** The known facts about the holder's session (pid, database, application, state, ...). */
  details: Record<string, string | number | undefined>;
}

/**
 * Remembers when a holder whose age the server does not tell (no privilege to see the session) was
 * first seen, so its age can still be reported; forgets holders that are gone.
 */
export class FirstSeen {
  private readonly seen = new Map<string, number>();

  ageOf(key: string, now = Date.now()): number {
    for (const k of this.seen.keys()) if (k !== key) this.seen.delete(k);
    const first = this.seen.get(key) ?? now;
    this.seen.set(key, first);
    return now - first;
  }

  clear(): void {
    this.seen.clear();
  }
}
