import { Transform } from 'class-transformer';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { lowerCase } from '../accounts/uuid-param.pipe.js';

export class TransferDto {
  @Transform(lowerCase)
  @IsUUID('4')
  from!: string;

  @Transform(lowerCase)
  @IsUUID('4')
  to!: string;

  @IsInt({ message: 'amount must be a whole number' })
  @Min(1)
  @Max(1_000_000_000)
  amount!: number;
}
