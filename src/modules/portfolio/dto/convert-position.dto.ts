import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** Kite's PUT /portfolio/positions parameters. */
export class ConvertPositionDto {
  @IsIn(['NSE', 'BSE']) exchange!: 'NSE' | 'BSE';
  @IsString() @Matches(/^[A-Za-z0-9&-]{1,30}$/) tradingsymbol!: string;
  @IsIn(['BUY', 'SELL']) transaction_type!: 'BUY' | 'SELL';
  @IsOptional() @IsIn(['day', 'overnight']) position_type: 'day' | 'overnight' = 'day';
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000_000) quantity!: number;
  @IsIn(['CNC', 'MIS']) old_product!: 'CNC' | 'MIS';
  @IsIn(['CNC', 'MIS']) new_product!: 'CNC' | 'MIS';
}
