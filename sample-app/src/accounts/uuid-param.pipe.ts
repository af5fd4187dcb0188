import { Injectable, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';

/**
 * A UUID v4 route parameter in its canonical lower-case form: ids are stored lower-case, so
 * `/accounts/<UPPER>` finds the same account and a self-transfer cannot hide behind the case.
 */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, Promise<string>> {
  private readonly uuid = new ParseUUIDPipe({ version: '4' });

  async transform(value: string): Promise<string> {
    return (await this.uuid.transform(value, { type: 'param' }))!.toLowerCase();
  }
}

/** For DTO fields: `@Transform(lowerCase)` before `@IsUUID('4')`. */
export function lowerCase({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}
