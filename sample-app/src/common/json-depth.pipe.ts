import {
  BadRequestException,
  Injectable,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';

/** Deeper bodies are refused before validation: class-transformer recurses once per level. */
export const MAX_BODY_DEPTH = 32;

/**
 * Answers 400 for a request body nested deeper than `MAX_BODY_DEPTH` (a 5,000-level body would
 * otherwise overflow the stack in the ValidationPipe and answer 500). Registered before it.
 */
@Injectable()
export class JsonDepthPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    // Iterative, so measuring the depth cannot overflow the stack itself.
    const pending: [unknown, number][] = [[value, 1]];
    while (pending.length > 0) {
      const [node, depth] = pending.pop()!;
      if (typeof node !== 'object' || node === null) continue;
      if (depth > MAX_BODY_DEPTH) {
        throw new BadRequestException(`the body is nested deeper than ${MAX_BODY_DEPTH} levels`);
      }
      for (const child of Object.values(node)) pending.push([child, depth + 1]);
    }
    return value;
  }
}
