export interface TypeOrmSubscriptionStoreOptions {
  /**
   * Prefix of the table (`es_subscriptions`). Letters, digits and `_`; use the event store's.
   * @default 'es_'
   */
  tablePrefix?: string;
  /** PostgreSQL schema or MySQL database that holds the table. Not supported on SQLite. */
  schema?: string;
}
