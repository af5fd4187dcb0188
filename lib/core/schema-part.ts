/** A set of tables the library keeps in the store's database. */
export interface SchemaPart {
  /** Idempotent DDL, for a DBA to review or apply by hand. */
  schemaSql(): string[];
  /** Creates the tables if they are missing. */
  migrate(): Promise<void>;
}
