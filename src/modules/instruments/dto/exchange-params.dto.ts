import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn } from 'class-validator';
import { EXCHANGES, type Exchange } from '../instrument';

export const toUpperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class ExchangeParamsDto {
  @ApiProperty({ enum: EXCHANGES, example: 'NSE' })
  @Transform(toUpperCase)
  @IsIn(EXCHANGES)
  exchange!: Exchange;
}
