import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { EventForwardingModuleOptions } from '../../forwarding/event-forwarder.options.js';

export type { EventForwardingModuleOptions };

export const {
  ConfigurableModuleClass: ConfigurableEventForwardingModule,
  MODULE_OPTIONS_TOKEN: EVENT_FORWARDING_OPTIONS,
} = new ConfigurableModuleBuilder<EventForwardingModuleOptions>({ moduleName: 'EventForwarding' })
  .setClassMethodName('forRoot')
  .build();
