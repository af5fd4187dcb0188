/**
 * The transaction a piece of work runs in, as the store that opened it hands it out. Core never
 * looks inside: it only carries the handle from the store that began the transaction to the code
 * that writes in it (checkpoints, scheduled messages, read models, appends that join it).
 *
 * - The SQL stores (lib/sql) hand out and accept a TypeORM `EntityManager` bound to the
 *   transaction's connection, and narrow the handle back to one (`entityManagerOf`).
 * - The in-memory stores have no transaction: their handle is `undefined`.
 *
 * It is `object` rather than a branded type so that code which holds an `EntityManager` passes it
 * as it is (`appendToStream(id, events, { manager })`); only a store may look inside.
 */
export type TransactionHandle = object;
