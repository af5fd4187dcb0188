import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

export type OtelApiModule = typeof OtelApi;

/**
 * `@opentelemetry/api` when the application has it (an optional peer dependency), else undefined:
 * then every instrumentation call site is a plain function call and nothing more. With the API but
 * no SDK registered, the API's own no-op tracer and meter answer.
 */
export const otel: OtelApiModule | undefined = (() => {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as OtelApiModule;
  } catch {
    return undefined;
  }
})();
