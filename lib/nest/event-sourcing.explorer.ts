import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ProjectionManager } from '../projection/projection-manager.js';
import { SagaManager } from '../saga/saga-manager.js';
import { EventRegistry } from '../serialization/event-registry.js';
import type { EventUpcaster } from '../serialization/serialization.types.js';
import { getUpcasterMetadata } from '../serialization/upcaster.decorator.js';
import { CommandHandlerContext, isCommandHandler } from './command-handler-context.js';

type Class = abstract new (...args: never[]) => unknown;

/**
 * The one discovery pass over the application's providers, through Nest's public
 * `DiscoveryService`, before any worker starts: `@Upcaster`s go to the event registry,
 * `@Projection`s to the ProjectionManager, sagas (and schedulable command classes) to the
 * SagaManager, and every `@CommandHandler` gets its message context.
 */
@Injectable()
export class EventSourcingExplorer implements OnModuleInit {
  private readonly commandHandlers = new CommandHandlerContext();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: EventRegistry,
    private readonly projections: ProjectionManager,
    private readonly sagas: SagaManager,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as Class | null | undefined;
      if (!metatype || typeof metatype !== 'function') continue;
      const instance = wrapper.instance as object | undefined;
      const isStatic = wrapper.isDependencyTreeStatic();
      if (instance && getUpcasterMetadata(metatype)) {
        this.registry.addUpcasterProvider(instance as EventUpcaster);
      }
      if (instance) this.projections.register(instance, metatype);
      this.sagas.register({ instance, metatype, isStatic });
      if (isCommandHandler(metatype)) this.commandHandlers.apply(metatype, instance, isStatic);
    }
  }
}
