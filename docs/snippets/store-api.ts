import type { EntityManager } from 'typeorm';
import type { EventStore, SnapshotStore } from 'nestjs-event-sourcing';

export async function storeApi(
  store: EventStore,
  manager: EntityManager,
  snapshots: SnapshotStore,
  checkpoint?: string,
) {
  // #region store-api
  await store.appendToStream('order-42', [{ type: 'shop.order-placed', data: { total: 10 } }], {
    expectedVersion: 'no_stream', // a number, 'any' (default), 'no_stream' or 'stream_exists'
    metadata: { correlationId: 'req-7' }, // merged into every event's metadata
    manager, // optional: join your own TypeORM transaction
  });
  await store.readStream('order-42', { fromVersion: 1, maxCount: 100, direction: 'forward' });
  const page = await store.readAll({ after: checkpoint, maxCount: 1000, categories: ['order'] });
  // page.events (each with its own .checkpoint), page.checkpoint (continue here), page.isEnd
  await store.streamVersion('order-42'); // 0 when the stream does not exist
  await store.streamExists('order-42');
  await store.headCheckpoint(); // the newest committed event
  await store.deleteStream('order-42'); // erases the stream and its snapshot (e.g. an erasure request)
  // what AggregateRepository.load reads: the latest snapshot (if any) and the events after it
  await store.readHistory('order-42', { snapshots, snapshotRevision: 1 });
  // #endregion store-api
  return page;
}
