import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ForwarderOptions } from '../../forwarding/event-forwarder.options.js';

/** The options of `EventForwardingModule.forRoot`. */
export interface EventForwardingModuleOptions {
  /** One forwarder per destination (broker client and pattern). */
  forwarders: ForwarderOptions[];
}

export const {
  ConfigurableModuleClass: ConfigurableEventForwardingModule,
  MODULE_OPTIONS_TOKEN: EVENT_FORWARDING_OPTIONS,
  ASYNC_OPTIONS_TYPE: EVENT_FORWARDING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EventForwardingModuleOptions>({ moduleName: 'EventForwarding' })
  .setClassMethodName('forRoot')
  .build();

/** The options of `EventForwardingModule.forRootAsync`: a factory giving the forwarders. */
export type EventForwardingModuleAsyncOptions = typeof EVENT_FORWARDING_ASYNC_OPTIONS_TYPE;
