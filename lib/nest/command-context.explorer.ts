import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { v7 as uuidv7 } from 'uuid';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { commandIdOf, MessageContext } from '../core/message-context.js';

// @nestjs/cqrs marks command handler classes with this key; its constants are not exported.
const COMMAND_HANDLER_METADATA = '__commandHandler__';

type Execute = (this: unknown, command: object) => unknown;

interface CommandHandlerInstance {
  execute: Execute;
}

/**
 * Runs every @CommandHandler inside a message context: events its aggregates append get
 * causationId = the command's id and inherit the correlation id and metadata of whatever sent the
 * command. The CommandBus calls `execute` at dispatch time, so wrapping the method is enough: on
 * the instance of a singleton handler, on the class's prototype for a request- or
 * transient-scoped one (the CommandBus creates those per command, after boot).
 */
@Injectable()
export class CommandContextExplorer implements OnApplicationBootstrap {
  private readonly wrapped = new WeakSet<object>();

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (!metatype || typeof metatype !== 'function') continue;
      if (!Reflect.getMetadata(COMMAND_HANDLER_METADATA, metatype)) continue;
      const instance = wrapper.instance as CommandHandlerInstance | undefined;
      if (wrapper.isDependencyTreeStatic()) {
        if (instance) this.wrap(instance, instance.execute);
        continue;
      }
      const prototype = metatype.prototype as CommandHandlerInstance;
      if (typeof prototype.execute !== 'function') {
        throw new InvalidOptionsError(
          `@CommandHandler ${metatype.name}`,
          'it is request- or transient-scoped but has no execute() method on its class ' +
            '(an arrow-function property cannot be wrapped); declare execute(command) as a method',
        );
      }
      this.wrap(prototype, prototype.execute);
    }
  }

  private wrap(target: CommandHandlerInstance, execute: Execute): void {
    if (this.wrapped.has(target) || typeof execute !== 'function') return;
    this.wrapped.add(target);
    target.execute = function (this: unknown, command: object) {
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
        () => execute.call(this === undefined ? target : this, command),
      );
    };
  }
}
