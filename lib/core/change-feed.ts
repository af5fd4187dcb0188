/**
 * "New events were committed": wakes the workers of this process at once instead of at their
 * next poll. On PostgreSQL it also reaches other processes (LISTEN/NOTIFY); elsewhere other
 * processes notice new events by polling.
 */
export class ChangeFeed {
  private readonly listeners = new Set<() => void>();
  private remote: { notify(): void } | undefined;

  /** Called when events were committed in this process. */
  notify(): void {
    this.deliver();
    this.remote?.notify();
  }

  /** Called when another process committed events. */
  deliver(): void {
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forwards local commits to other processes (PostgreSQL NOTIFY). */
  connectRemote(remote: { notify(): void }): void {
    this.remote = remote;
  }
}
