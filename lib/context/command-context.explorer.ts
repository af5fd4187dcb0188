import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { v7 as uuidv7 } from 'uuid';
import { commandIdOf, MessageContext } from './message-context.js';

// @nestjs/cqrs marks command handler classes with this key; its constants are not exported.
const COMMAND_HANDLER_METADATA = '__commandHandler__';

interface CommandHandlerInstance {
  execute(command: object): unknown;
}

/**
 * Runs every @CommandHandler inside a message context: events its aggregates append get
 * causationId = the command's id and inherit the correlation id of whatever sent the command.
 * The CommandBus calls `instance.execute` at dispatch time, so wrapping the method is enough.
 */
@Injectable()
export class CommandContextExplorer implements OnApplicationBootstrap {
  private readonly wrapped = new WeakSet<object>();

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      const metatype = wrapper.metatype;
      if (!instance || !metatype || !wrapper.isDependencyTreeStatic()) continue;
      if (!Reflect.getMetadata(COMMAND_HANDLER_METADATA, metatype)) continue;
      this.wrap(instance as CommandHandlerInstance);
    }
  }

  private wrap(handler: CommandHandlerInstance): void {
    if (this.wrapped.has(handler) || typeof handler.execute !== 'function') return;
    this.wrapped.add(handler);
    const execute = handler.execute.bind(handler);
    handler.execute = (command: object) => {
      const outer = MessageContext.current();
      const knownId = commandIdOf(command);
      const commandId = knownId ?? uuidv7();
      return MessageContext.run(
        {
          correlationId: outer?.correlationId ?? commandId,
          causationId: commandId,
          metadata: outer?.metadata,
          // A known (deterministic) id makes the command's saves idempotent.
          ...(knownId !== undefined ? { idempotencyKey: knownId } : {}),
        },
        () => execute(command),
      );
    };
  }
}
