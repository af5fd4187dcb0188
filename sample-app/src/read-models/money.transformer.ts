import type { ValueTransformer } from 'typeorm';

/** Money columns are BIGINT; amounts stay below MAX_BALANCE, so a number holds them exactly. */
export const money: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
