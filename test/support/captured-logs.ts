import { Logger, type LoggerService } from '@nestjs/common';

export interface CapturedLine {
  level: 'log' | 'warn' | 'error' | 'debug' | 'verbose' | 'fatal';
  context: string | undefined;
  message: string;
  stack: string | undefined;
}

/**
 * Routes every Nest `Logger` of this test file into an array (vitest runs each file in its own
 * worker, so the override does not reach other files). Pass `logger` to the testing module's
 * `setLogger` too: `compile()` installs its own otherwise. `restore()` puts the default back.
 */
export function captureLogs(): { lines: CapturedLine[]; logger: LoggerService; restore(): void } {
  const lines: CapturedLine[] = [];
  const push =
    (level: CapturedLine['level']) =>
    (message: unknown, ...rest: unknown[]) => {
      const strings = rest.filter((r): r is string => typeof r === 'string');
      // Nest passes (message, context) or, for errors, (message, stack, context).
      const context = strings.at(-1);
      const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
      lines.push({ level, context, message: String(message), stack });
    };
  const logger: LoggerService = {
    log: push('log'),
    warn: push('warn'),
    error: push('error'),
    debug: push('debug'),
    verbose: push('verbose'),
    fatal: push('fatal'),
  };
  Logger.overrideLogger(logger);
  return { lines, logger, restore: () => Logger.overrideLogger(['log', 'warn', 'error']) };
}
