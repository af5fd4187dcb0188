import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ForwarderOptions } from '../../forwarding/event-forwarder.options.js';

export interface EventForwardingModuleOptions {
  /** One forwarder per destination (broker client and pattern). */
  forwarders: ForwarderOptions[];
}

export const {
  ConfigurableModuleClass: ConfigurableEventForwardingModule,
  MODULE_OPTIONS_TOKEN: EVENT_FORWARDING_OPTIONS,
} = new ConfigurableModuleBuilder<EventForwardingModuleOptions>({ moduleName: 'EventForwarding' })
  .setClassMethodName('forRoot')
  .build();
