import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { EventUpcaster } from '../serialization/serialization.types.js';
import { getUpcasterMetadata } from '../serialization/upcaster.decorator.js';
import { EventRegistry } from '../serialization/event-registry.js';

/** Registers every `@Upcaster` provider of the application with the event registry. */
@Injectable()
export class UpcasterExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: EventRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype;
      if (!instance || !metatype || !getUpcasterMetadata(metatype)) continue;
      this.registry.addUpcasterProvider(instance as EventUpcaster);
    }
  }
}
