import { money } from './money.transformer.js';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every deposit and withdrawal, filled by the async TransactionsProjection. */
@Entity('bank_account_transactions')
@Index(['accountId', 'position'])
export class AccountTransaction {
  /** The event id: a replayed event would collide, so a double application cannot go unnoticed. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ type: 'varchar', length: 64 })
  accountId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'deposit' | 'withdrawal';

  /** BIGINT: a balance passes 2^31 (drivers read it as text; the transformer makes it a number). */
  @Column({ type: 'bigint', transformer: money })
  amount!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  transferId!: string | null;

  /** Global position, for a stable order. */
  @Column({ type: 'bigint' })
  position!: string;

  @Column({ type: 'varchar', length: 40 })
  occurredAt!: string;
}
