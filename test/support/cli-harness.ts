import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventSourcingModule } from 'nestjs-event-sourcing';
import { runEventSourcingCli } from '../../lib/cli/run-event-sourcing-cli.js';
import { Account } from './account.domain.js';
import { BalancesProjection } from './balances.projection.js';
import { CapturedStream } from './cli-streams.js';
import type { TestDatabase } from './test-databases.js';

const REFUSE_DEPOSIT = Symbol('refuse deposit');

@Module({})
class CliTestModule {}

/**
 * The module an application's CLI entry boots: the store without workers, the Account aggregate
 * and the balances projection. `refuseDeposit` makes the projection throw on a deposit of that
 * amount (a handler bug).
 */
export function cliTestModule(
  db: TestDatabase,
  options: { refuseDeposit?: number } = {},
): DynamicModule {
  return {
    module: CliTestModule,
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ dataSource: db.dataSource, schema: db.schema, workers: false }),
      EventSourcingModule.forFeature([Account]),
    ],
    providers: [
      BalancesProjection,
      {
        provide: REFUSE_DEPOSIT,
        inject: [BalancesProjection],
        useFactory: (balances: BalancesProjection) => {
          balances.failOn = options.refuseDeposit;
          return options.refuseDeposit;
        },
      },
    ],
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, as `<cli> ...argv` would, and captures its output. */
export async function runCli(rootModule: DynamicModule, ...argv: string[]): Promise<CliRun> {
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  const code = await runEventSourcingCli(rootModule, { argv, stdout, stderr, name: 'cli' });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
