import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventSourcingModule, type EventSourcingModuleOptions } from 'nestjs-event-sourcing';
import { StreamsController } from './streams/streams.controller.js';

@Module({})
export class AppModule {
  static forRoot(database: EventSourcingModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), EventSourcingModule.forRoot(database)],
      controllers: [StreamsController],
    };
  }
}
