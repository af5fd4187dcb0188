import { money } from './money.transformer.js';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per account, kept current inside each append by the inline BalancesProjection. */
@Entity('bank_account_balances')
export class AccountBalance {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  owner!: string;

  /** BIGINT: a balance passes 2^31 (drivers read it as text; the transformer makes it a number). */
  @Column({ type: 'bigint', transformer: money })
  balance!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: 'open' | 'closed';

  /** The account stream's version this row reflects (clients send it back as expectedVersion). */
  @Column({ type: 'integer' })
  version!: number;
}
