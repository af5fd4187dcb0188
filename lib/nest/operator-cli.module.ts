import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';

/** Present (true) only in the operator CLI's process. */
export const EVENT_SOURCING_OPERATOR_CLI = Symbol('EVENT_SOURCING_OPERATOR_CLI');

/**
 * Tells the module it runs inside the operator CLI, so the application's own module (built with
 * `forRoot` or `forRootAsync`, whatever its factory returns) runs there without workers and
 * without the missing-tables check: no environment switch or second module is needed.
 */
@Global()
@Module({
  providers: [{ provide: EVENT_SOURCING_OPERATOR_CLI, useValue: true }],
  exports: [EVENT_SOURCING_OPERATOR_CLI],
})
class OperatorCliMarkerModule {}

@Module({})
class EventSourcingCliRootModule {}

/** The application's root module as the CLI boots it. */
export function asOperatorCliModule(rootModule: Type | DynamicModule): DynamicModule {
  return { module: EventSourcingCliRootModule, imports: [OperatorCliMarkerModule, rootModule] };
}
