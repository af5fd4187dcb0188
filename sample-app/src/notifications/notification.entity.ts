import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One message to an account holder, written once per bank event (the inbox sees to that). */
@Entity('notifications')
export class Notification {
  /** The bank event's id. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  eventId!: string;

  @Column({ type: 'varchar', length: 64 })
  accountId!: string;

  @Column({ type: 'varchar', length: 255 })
  text!: string;

  /** The event's version in its account stream (the order notifications were written in). */
  @Column({ type: 'int' })
  version!: number;
}
