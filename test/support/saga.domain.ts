/**
 * A durable saga for the saga tests: each TaskRequested becomes a CountTask command whose handler
 * increments a Tally aggregate, which is not idempotent by itself (a second execution would count
 * twice): the library's de-duplication is what makes re-delivery harmless. It imports lib/ through
 * relative paths because the crash test also runs it in a child process compiled with SWC.
 */
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import {
  CommandHandler,
  CqrsModule,
  ofType,
  type ICommandHandler,
  type IEvent,
} from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import {
  Aggregate,
  DomainCommand,
  DomainEvent,
  DurableSaga,
  EventSourcedAggregate,
  EventSourcingHandler,
  EventSourcingModule,
  InjectAggregateRepository,
  type AggregateRepository,
} from '../../lib/index.js';

@DomainEvent('saga_test.task_requested')
export class TaskRequested {
  constructor(
    readonly taskId: string,
    readonly tallyId: string,
    readonly poison = false,
  ) {}
}

@DomainEvent('saga_test.tally_incremented')
export class TallyIncremented {
  constructor(
    readonly taskId: string,
    /** Which process counted it. */
    readonly by: string,
  ) {}
}

@DomainCommand('saga_test.count_task')
export class CountTask {
  constructor(
    readonly tallyId: string,
    readonly taskId: string,
  ) {}
}

@Aggregate('tally')
export class Tally extends EventSourcedAggregate {
  count = 0;
  tasks: string[] = [];

  increment(taskId: string, by: string): void {
    this.apply(new TallyIncremented(taskId, by));
  }

  @EventSourcingHandler(TallyIncremented)
  incremented(event: TallyIncremented): void {
    this.count++;
    this.tasks.push(event.taskId);
  }
}

/** Knobs and counters the tests reach through `app.get(SagaProbe)`. */
@Injectable()
export class SagaProbe {
  /** Stored in each TallyIncremented: which process counted. */
  owner = 'main';
  /** While true the saga's pipe throws on poison tasks. */
  poisonThrows = true;
  /** Tasks whose command handler throws. */
  failingTasks = new Set<string>();
  /** Command executions that returned (de-duplicated ones included). */
  executions = 0;
  pipeCalls = 0;
  afterExecution: (() => Promise<void>) | undefined;
}

@CommandHandler(CountTask)
export class CountTaskHandler implements ICommandHandler<CountTask> {
  constructor(
    @InjectAggregateRepository(Tally) private readonly tallies: AggregateRepository<Tally>,
    private readonly probe: SagaProbe,
  ) {}

  async execute(command: CountTask): Promise<void> {
    if (this.probe.failingTasks.has(command.taskId)) {
      throw new Error(`task ${command.taskId} refused`);
    }
    const tally = (await this.tallies.find(command.tallyId)) ?? new Tally(command.tallyId);
    tally.increment(command.taskId, this.probe.owner);
    await this.tallies.save(tally);
    this.probe.executions++;
    await this.probe.afterExecution?.();
  }
}

export const TASK_SAGA = 'task-counter';

@Injectable()
export class TaskSagas {
  constructor(private readonly probe: SagaProbe) {}

  @DurableSaga(TASK_SAGA, {
    events: [TaskRequested],
    batchSize: 10,
    maxAttempts: 2,
    backoffMs: 5,
    pollIntervalMs: 20,
    leaseTtlMs: 1500,
  })
  count = (events$: Observable<IEvent>) =>
    events$.pipe(
      ofType(TaskRequested),
      map((event) => {
        this.probe.pipeCalls++;
        if (event.poison && this.probe.poisonThrows) {
          throw new Error(`poison task ${event.taskId}`);
        }
        return new CountTask(event.tallyId, event.taskId);
      }),
    );
}

@Module({})
class SagaTestAppModule {}

/** The application of the durable-saga tests, on a given DataSource. */
export function sagaTestModule(options: {
  dataSource: DataSource;
  schema: string | undefined;
  workers?: boolean;
}): DynamicModule {
  return {
    module: SagaTestAppModule,
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({
        dataSource: options.dataSource,
        schema: options.schema,
        workers: options.workers,
      }),
      EventSourcingModule.forFeature([Tally]),
    ],
    providers: [SagaProbe, TaskSagas, CountTaskHandler],
  };
}
