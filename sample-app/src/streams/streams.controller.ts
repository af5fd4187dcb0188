import { BadRequestException, Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { EventStore, type ExpectedVersion } from 'nestjs-event-sourcing';

interface AppendBody {
  events?: { type?: unknown; data?: unknown; metadata?: unknown }[];
  expectedVersion?: ExpectedVersion;
}

/** Low-level access to the event store: append to a stream, read it, follow the global log. */
@Controller()
export class StreamsController {
  constructor(private readonly store: EventStore) {}

  @Post('streams/:streamId/events')
  async append(@Param('streamId') streamId: string, @Body() body: AppendBody) {
    if (!Array.isArray(body?.events)) {
      throw new BadRequestException('body must be { events: [{ type, data }], expectedVersion? }');
    }
    const result = await this.store.appendToStream(
      streamId,
      body.events.map((e) => ({
        type: e.type as string,
        data: e.data,
        metadata: e.metadata as never,
      })),
      { expectedVersion: body.expectedVersion ?? 'any' },
    );
    return { streamId, nextExpectedVersion: result.nextExpectedVersion };
  }

  @Get('streams/:streamId')
  async read(@Param('streamId') streamId: string) {
    const events = await this.store.readStream(streamId);
    return { streamId, version: events.at(-1)?.version ?? 0, events };
  }

  @Get('log')
  async log(@Query('after') after?: string, @Query('maxCount') maxCount?: string) {
    return this.store.readAll({ after, maxCount: maxCount ? Number(maxCount) : 100 });
  }
}
