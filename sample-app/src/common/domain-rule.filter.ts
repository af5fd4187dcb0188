import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainRuleError } from '../accounts/account.errors.js';

interface JsonResponse {
  status(code: number): { json(body: unknown): unknown };
}

/** A refused business rule (overdraft, closed account) is 422 with the rule's message. */
@Catch(DomainRuleError)
export class DomainRuleFilter implements ExceptionFilter<DomainRuleError> {
  catch(error: DomainRuleError, host: ArgumentsHost): void {
    const status = HttpStatus.UNPROCESSABLE_ENTITY;
    host
      .switchToHttp()
      .getResponse<JsonResponse>()
      .status(status)
      .json({ statusCode: status, error: error.name, message: error.message });
  }
}
