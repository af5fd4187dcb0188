import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { EventSourcingModuleOptions } from './event-sourcing.options.js';

export const {
  ConfigurableModuleClass: ConfigurableEventSourcingCoreModule,
  MODULE_OPTIONS_TOKEN: EVENT_SOURCING_OPTIONS,
  OPTIONS_TYPE: EVENT_SOURCING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: EVENT_SOURCING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EventSourcingModuleOptions>({ moduleName: 'EventSourcing' })
  .setClassMethodName('forRoot')
  .build();

/**
 * The options of `EventSourcingModule.forRootAsync`: `imports`, `inject` and a `useFactory` (or
 * `useClass` / `useExisting`) that gives the `EventSourcingModuleOptions`.
 */
export type EventSourcingModuleAsyncOptions = typeof EVENT_SOURCING_ASYNC_OPTIONS_TYPE;
