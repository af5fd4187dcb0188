import { v7 as uuidv7 } from 'uuid';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { commandIdOf, MessageContext } from '../core/message-context.js';

/*
 * The message context of every @CommandHandler, and with it the idempotency of saga commands.
 *
 * How one saga command is saved once, top to bottom:
 * 1. A saga runner sends a command for an event: `setCommandId(command, '<saga>:<event id>:<n>')`
 *    (lib/saga/saga-runner.ts), then `commandBus.execute(command)`.
 * 2. The CommandBus of @nestjs/cqrs calls the handler's `execute(command)`, which this file has
 *    replaced at startup with `runInCommandContext`: it runs the original `execute` inside
 *    `MessageContext.run({ correlationId, causationId: command id, idempotencyKey: command id })`.
 * 3. The handler loads an aggregate and calls `AggregateRepository.save(aggregate)`; the repository
 *    reads `MessageContext.current().idempotencyKey` and derives each event id from it, the stream
 *    and the number of earlier saves of that stream in this context (lib/aggregate).
 * 4. The first delivery appends with those ids. A re-delivery (the saga's process died before its
 *    checkpoint) derives the same ids; the store answers `DuplicateEventIdError` for exactly
 *    them, and the repository treats the save as done: nothing is appended twice.
 * Any command, from a saga or not, gets step 2: its events carry causationId = the command's id and
 * the correlation id and metadata of whatever sent it (an HTTP request, an event).
 *
 * Why the method is replaced: @nestjs/cqrs 12 offers no hook around a handler's execution (its
 * CommandBus calls `handler.execute(command)` directly; publishers and `UnhandledExceptionBus` see
 * nothing of the handler's async context), and a command may be dispatched from anywhere through
 * the application's own CommandBus. Wrapping `execute` on the handler is the one place that every
 * dispatch passes through. It is done here only, once per handler, at startup.
 */

type Execute = (this: unknown, command: object) => unknown;

interface CommandHandlerInstance {
  execute: Execute;
}

// @nestjs/cqrs marks command handler classes with this key; its constants are not exported.
const COMMAND_HANDLER_METADATA = '__commandHandler__';

/** Whether `metatype` is a `@CommandHandler` class. */
export function isCommandHandler(metatype: object): boolean {
  return Reflect.getMetadata(COMMAND_HANDLER_METADATA, metatype) !== undefined;
}

/**
 * Runs `execute` in the message context of `command` (step 2 above): a new correlation id unless
 * one is already set, the command's id as causation id and, for a command with a known id, as
 * idempotency key.
 */
export function runInCommandContext<T>(command: object, execute: () => T): T {
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
    execute,
  );
}

/** Puts the command handlers of an application in their message context (see the header). */
export class CommandHandlerContext {
  private readonly wrapped = new WeakSet<object>();

  /**
   * Wraps the handler's `execute`: on the instance of a singleton handler, on the class's prototype
   * for a request- or transient-scoped one (the CommandBus creates those per command, after boot).
   */
  apply(
    metatype: abstract new (...args: never[]) => unknown,
    instance: unknown,
    isStatic: boolean,
  ) {
    if (isStatic) {
      const handler = instance as CommandHandlerInstance | undefined;
      if (handler) this.wrap(handler, handler.execute);
      return;
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

  private wrap(target: CommandHandlerInstance, execute: Execute): void {
    if (this.wrapped.has(target) || typeof execute !== 'function') return;
    this.wrapped.add(target);
    target.execute = function (this: unknown, command: object) {
      return runInCommandContext(command, () =>
        execute.call(this === undefined ? target : this, command),
      );
    };
  }
}
