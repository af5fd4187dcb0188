import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

interface PgClient {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeAllListeners(): void;
  release(error?: Error | boolean): void;
}

/**
 * PostgreSQL LISTEN/NOTIFY between processes. The NOTIFY is sent after the append has committed
 * (inside the append it cut append throughput by 30-46% when measured) and coalesced: while one is
 * in flight, further appends only mark that another is due, so a busy writer sends about one per
 * round trip, not one per append. A lost notification costs only latency: workers still poll.
 */
export class PostgresNotifier {
  private readonly logger = new Logger('EventSourcing');
  private inFlight = false;
  private due = false;
  private client: PgClient | undefined;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
  ) {}

  notify(): void {
    if (this.closed) return;
    if (this.inFlight) {
      this.due = true;
      return;
    }
    this.inFlight = true;
    void this.send();
  }

  /** Holds one pooled connection that listens on the channel, until `close()`. */
  async listen(onNotification: () => void): Promise<void> {
    const pool = (this.dataSource.driver as unknown as { master: { connect(): Promise<PgClient> } })
      .master;
    const client = await pool.connect();
    client.on('notification', (message) => {
      if (message.channel === this.channel) onNotification();
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection failed (${error.message}); workers fall back to polling`);
      this.client = undefined;
      client.removeAllListeners();
      client.release(error);
    });
    await client.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`);
    this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    try {
      await client.query('UNLISTEN *');
      client.release();
    } catch (error) {
      client.release(error as Error);
    }
  }

  private async send(): Promise<void> {
    try {
      do {
        this.due = false;
        await this.dataSource.query('SELECT pg_notify($1, $2)', [this.channel, '']);
      } while (this.due && !this.closed);
    } catch (error) {
      this.logger.debug?.(`NOTIFY failed (${(error as Error).message}); workers will poll`);
    } finally {
      this.inFlight = false;
    }
  }
}
