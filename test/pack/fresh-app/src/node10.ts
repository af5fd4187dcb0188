// Type-checked with moduleResolution node10: the /testing entry resolves through typesVersions.
import { EventSourcingTestingModule, forAggregate } from 'nestjs-event-sourcing/testing';
import { EventSourcingModule } from 'nestjs-event-sourcing';

export const used = [EventSourcingTestingModule, forAggregate, EventSourcingModule];
