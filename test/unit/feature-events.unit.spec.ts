import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { CqrsModule, ofType, type IEvent } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { EMPTY, tap, mergeMap, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DomainEvent,
  DurableSaga,
  EventRegistry,
  EventSourcingModule,
  EventStore,
  SagaManager,
} from 'nestjs-event-sourcing';

@DomainEvent('feature_test.parcel_sent')
class ParcelSent {
  constructor(readonly parcelId: string) {}
}

@DomainEvent('feature_test.parcel_lost')
class ParcelLost {
  constructor(readonly parcelId: string) {}
}

/** A saga that names no events of its own: it relies on `forFeature([], { events })`. */
@Injectable()
class ParcelSagas {
  readonly seen: IEvent[] = [];

  @DurableSaga('parcels', { pollIntervalMs: 10 })
  parcels = (events$: Observable<IEvent>) =>
    events$.pipe(
      ofType(ParcelSent, ParcelLost),
      tap((event) => this.seen.push(event)),
      mergeMap(() => EMPTY),
    );
}

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('EventSourcingModule.forFeature([], { events })', () => {
  it('registers the events without any aggregate, so sagas and projections read them typed', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventSourcingModule.forRoot({ type: 'memory' }),
        EventSourcingModule.forFeature([], { events: [ParcelSent, ParcelLost] }),
      ],
      providers: [ParcelSagas],
    }).compile();
    app = await moduleRef.init();

    const registry = app.get(EventRegistry);
    expect(registry.classOf('feature_test.parcel_sent')).toBe(ParcelSent);
    expect(registry.classOf('feature_test.parcel_lost')).toBe(ParcelLost);

    await app.get(EventStore).appendToStream('parcel-1', [
      { type: 'feature_test.parcel_sent', data: { parcelId: '1' } },
      { type: 'feature_test.parcel_lost', data: { parcelId: '1' } },
    ]);
    await app.get(SagaManager).waitForCatchUp('parcels', { timeoutMs: 5_000 });
    const seen = app.get(ParcelSagas).seen;
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeInstanceOf(ParcelSent);
    expect(seen[1]).toBeInstanceOf(ParcelLost);
    expect(seen[1]).toMatchObject({ parcelId: '1' });
  });
});
