import { IsInt, IsUUID, Max, Min } from 'class-validator';

export class TransferDto {
  @IsUUID('4')
  from!: string;

  @IsUUID('4')
  to!: string;

  @IsInt({ message: 'amount must be a whole number' })
  @Min(1)
  @Max(1_000_000_000)
  amount!: number;
}
