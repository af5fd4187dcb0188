import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class OpenAccountDto {
  @IsString()
  @Length(1, 200)
  owner!: string;
}

export class AmountDto {
  @IsInt({ message: 'amount must be a whole number' })
  @Min(1)
  @Max(1_000_000_000)
  amount!: number;

  /** The account version the client saw (from GET /accounts/:id); 409 when it moved on. */
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}
