import type { DataSource, EntityManager } from 'typeorm';
import { InboxStore } from '../../forwarding/inbox-store.js';
import { runInTransaction } from '../../sql/run-in-transaction.js';
import { InboxTable } from '../../sql/inbox-table.js';

/** The inbox in the store's database: the claim of (handler, event id) and `apply` commit together. */
export class SqlInboxStore extends InboxStore {
  constructor(
    private readonly dataSource: DataSource,
    readonly table: InboxTable,
  ) {
    super();
  }

  applyOnce(
    handler: string,
    eventId: string,
    apply: (manager: EntityManager | undefined) => Promise<void>,
  ): Promise<boolean> {
    return runInTransaction(this.dataSource, async (manager) => {
      if (!(await this.table.claim(manager, handler, eventId))) return false;
      await apply(manager);
      return true;
    });
  }
}
