import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { EventForwardingModuleOptions } from '../../forwarding/event-forwarder.options.js';

export type { EventForwardingModuleOptions };

export const {
  ConfigurableModuleClass: ConfigurableEventForwardingModule,
  MODULE_OPTIONS_TOKEN: EVENT_FORWARDING_OPTIONS,
  ASYNC_OPTIONS_TYPE: EVENT_FORWARDING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EventForwardingModuleOptions>({ moduleName: 'EventForwarding' })
  .setClassMethodName('forRoot')
  .build();

/** The options of `EventForwardingModule.forRootAsync`: a factory giving the forwarders. */
export type EventForwardingModuleAsyncOptions = typeof EVENT_FORWARDING_ASYNC_OPTIONS_TYPE;
