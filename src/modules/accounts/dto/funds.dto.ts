import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNumber, Max, Min } from 'class-validator';

export class FundsTransferDto {
  /** Rupees, at most 2 decimal places; ₹1 to ₹1,00,00,000 per transfer. */
  @ApiProperty({ example: 50000.5 })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'amount must be a number with at most 2 decimal places' })
  @Min(1)
  @Max(10_000_000)
  amount!: number;
}

export class MarginSegmentDto {
  @IsIn(['equity', 'commodity'], { message: 'segment must be equity or commodity' }) segment!: 'equity' | 'commodity';
}
