import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { tableLocation } from './table-location.js';
import type { SqlExecutor } from './sql-executor.js';
import { errorMessage } from '../core/error-message.js';
import {
  InstanceRegistry,
  newInstanceId,
  type InstanceInfo,
  type InstanceListOptions,
} from '../core/instance-registry.js';
import type { SchemaPart } from '../core/schema-part.js';

/**
 * The instances of an application, known to each other only through the database: each writes a
 * heartbeat row every third of `ttlMs`; rows older than `ttlMs` are dead instances.
 *
 * Heartbeats carry the writer's clock (epoch ms): instances on different machines need clocks in
 * step (NTP) to well under `ttlMs`.
 */
export class SqlInstanceRegistry
  extends InstanceRegistry
  implements SchemaPart, BeforeApplicationShutdown
{
  readonly instanceId = newInstanceId();
  private readonly logger = new Logger('Instances');
  private readonly table: string;
  private readonly sql: SqlExecutor;
  private live = 1;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    tables: { tablePrefix?: string; schema?: string },
    readonly ttlMs = 10_000,
  ) {
    super();
    const location = tableLocation(dataSource, tables);
    this.table = location.table('instances');
    this.sql = location.sql;
  }

  schemaSql(): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS ${this.table} (instance_id VARCHAR(255) NOT NULL PRIMARY KEY, ` +
        'heartbeat_at BIGINT NOT NULL)',
    ];
  }

  async migrate(): Promise<void> {
    await this.sql.migrate(this.schemaSql());
  }

  liveCount(): number {
    return this.live;
  }

  /** Writes the first heartbeat and keeps beating until `stop()`. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.beat(true);
    this.timer = setInterval(
      () => {
        this.beat().catch((error) => this.logger.warn(`heartbeat failed: ${errorMessage(error)}`));
      },
      Math.max(1, Math.floor(this.ttlMs / 3)),
    );
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Stops beating and removes this instance, so the others take its share at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.dataSource.isInitialized) {
      await this.query(`DELETE FROM ${this.table} WHERE instance_id = ?`, [this.instanceId]);
    }
  }

  /** The live instances (heartbeat within `ttlMs`), and with `includeGone` the stored others. */
  async list(options: InstanceListOptions = {}): Promise<InstanceInfo[]> {
    const liveSince = Date.now() - this.ttlMs;
    const rows = await this.query<{ instance_id: string; heartbeat_at: string | number }>(
      `SELECT instance_id, heartbeat_at FROM ${this.table}` +
        (options.includeGone ? '' : ' WHERE heartbeat_at > ?') +
        ' ORDER BY instance_id',
      options.includeGone ? [] : [liveSince],
    );
    return rows.map((r) => ({
      instanceId: r.instance_id,
      heartbeatAt: new Date(Number(r.heartbeat_at)),
      live: Number(r.heartbeat_at) > liveSince,
    }));
  }

  private async beat(first = false): Promise<void> {
    const now = Date.now();
    if (first) {
      // Rows of instances long dead are of no use to anyone.
      await this.query(`DELETE FROM ${this.table} WHERE heartbeat_at < ?`, [
        now - 100 * this.ttlMs,
      ]);
      await this.query(`INSERT INTO ${this.table} (instance_id, heartbeat_at) VALUES (?, ?)`, [
        this.instanceId,
        now,
      ]);
    } else {
      await this.query(`UPDATE ${this.table} SET heartbeat_at = ? WHERE instance_id = ?`, [
        now,
        this.instanceId,
      ]);
    }
    this.live = Math.max(1, (await this.list()).length);
  }

  private async query<T extends Record<string, unknown>>(
    sql: string,
    params: unknown[],
  ): Promise<T[]> {
    return (await this.sql.run(sql, params)).records as T[];
  }
}
