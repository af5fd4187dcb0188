/** The options of `new TypeOrmEventStore(dataSource, options)`: where its tables are. */
export interface TypeOrmEventStoreOptions {
  /**
   * Prefix of every table the store creates (`es_events`, ...). Letters, digits and `_`.
   * @default 'es_'
   */
  tablePrefix?: string;
  /** PostgreSQL schema or MySQL database that holds the tables. Not supported on SQLite. */
  schema?: string;
}
