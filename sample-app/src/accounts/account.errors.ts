/** A business rule refused the command: the request was understood but cannot be done (422). */
export class DomainRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InsufficientFundsError extends DomainRuleError {
  constructor(accountId: string, balance: number, amount: number) {
    super(`account ${accountId} has ${balance}, cannot withdraw ${amount}`);
  }
}

export class AccountClosedError extends DomainRuleError {
  constructor(accountId: string) {
    super(`account ${accountId} is closed`);
  }
}

export class BalanceLimitError extends DomainRuleError {
  constructor(accountId: string, balance: number, amount: number, limit: number) {
    super(
      `account ${accountId} has ${balance}; receiving ${amount} would pass the largest balance, ${limit}`,
    );
  }
}
