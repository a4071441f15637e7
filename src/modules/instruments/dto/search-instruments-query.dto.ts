import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EXCHANGES, type Exchange } from '../instrument';
import { SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from '../instrument-search';
import { toUpperCase } from './exchange-params.dto';

export class SearchInstrumentsQueryDto {
  @ApiProperty({ description: 'Symbol prefix or part of the company name', example: 'infos', maxLength: 50 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  q!: string;

  @ApiPropertyOptional({ enum: EXCHANGES, description: 'Only this exchange (default: both, NSE first)' })
  @IsOptional()
  @Transform(toUpperCase)
  @IsIn(EXCHANGES)
  exchange?: Exchange;

  @ApiPropertyOptional({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: SEARCH_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SEARCH_MAX_LIMIT)
  limit?: number;
}
