/**
 * Sleeps that can be cut short. A `wake()` while nobody sleeps is remembered, so the next sleep
 * returns at once (a wake-up that arrives mid-batch is not lost).
 */
export class Sleeper {
  private readonly sleepers = new Set<() => void>();
  private pending = false;

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  wake(): void {
    if (this.sleepers.size === 0) this.pending = true;
    for (const done of [...this.sleepers]) done();
  }
}
