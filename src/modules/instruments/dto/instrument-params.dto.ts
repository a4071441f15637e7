import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
import { ExchangeParamsDto, toUpperCase } from './exchange-params.dto';

export class InstrumentParamsDto extends ExchangeParamsDto {
  @ApiProperty({ example: 'INFY', description: 'As the exchange writes it; M&M is M%26M in a URL' })
  @Transform(toUpperCase)
  @Matches(/^[A-Z0-9&-]{1,30}$/, { message: 'tradingsymbol must be 1-30 letters, digits, & or -' })
  tradingsymbol!: string;
}
