import { ApiProperty } from '@nestjs/swagger';
import { paiseToRupees } from '../../../common/money/money';
import { EXCHANGES, type Exchange, type Instrument } from '../instrument';

const rupees = (paise: number | null) => (paise === null ? null : paiseToRupees(paise));

/** An instrument at the API edge: Kite's field names, prices in rupees. */
export class InstrumentDto {
  @ApiProperty({ example: 408065 }) instrument_token!: number;
  @ApiProperty({ example: 1594 }) exchange_token!: number;
  @ApiProperty({ example: 'INFY' }) tradingsymbol!: string;
  @ApiProperty({ example: 'Infosys Limited' }) name!: string;
  @ApiProperty({ example: 'INE009A01021' }) isin!: string;
  @ApiProperty({ enum: EXCHANGES }) exchange!: Exchange;
  @ApiProperty({ enum: EXCHANGES }) segment!: Exchange;
  @ApiProperty({ description: 'NSE series (EQ/BE/BZ) or BSE group (A/B/T/Z)', example: 'EQ' }) series!: string;
  @ApiProperty({ example: 'EQ' }) instrument_type!: string;
  @ApiProperty({ description: 'Rupees', example: 0.1 }) tick_size!: number;
  @ApiProperty({ example: 1 }) lot_size!: number;
  @ApiProperty({ description: 'Largest quantity in one order', example: 74338 }) freeze_qty!: number;
  @ApiProperty({ description: 'Rupees', example: 1121 }) prev_close!: number;
  @ApiProperty({ enum: [2, 5, 10, 20] }) circuit_band_pct!: number;
  @ApiProperty({ description: 'Rupees', example: 896.8 }) lower_circuit!: number;
  @ApiProperty({ description: 'Rupees', example: 1345.2 }) upper_circuit!: number;
  @ApiProperty({ description: 'Rupees', example: 5 }) face_value!: number;
  @ApiProperty({ description: 'prev_close was derived, not a real close' }) price_is_synthetic!: boolean;
  @ApiProperty() tradable!: boolean;
  @ApiProperty() suspended!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'Rupees' }) week52_high!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Rupees' }) week52_low!: number | null;

  static from(i: Instrument): InstrumentDto {
    return {
      instrument_token: i.instrumentToken,
      exchange_token: i.exchangeToken,
      tradingsymbol: i.tradingsymbol,
      name: i.name,
      isin: i.isin,
      exchange: i.exchange,
      segment: i.segment,
      series: i.series,
      instrument_type: i.instrumentType,
      tick_size: paiseToRupees(i.tickSize),
      lot_size: i.lotSize,
      freeze_qty: i.freezeQty,
      prev_close: paiseToRupees(i.prevClose),
      circuit_band_pct: i.circuitBandPct,
      lower_circuit: paiseToRupees(i.lowerCircuit),
      upper_circuit: paiseToRupees(i.upperCircuit),
      face_value: paiseToRupees(i.faceValue),
      price_is_synthetic: i.priceIsSynthetic,
      tradable: i.tradable,
      suspended: i.suspended,
      week52_high: rupees(i.week52High),
      week52_low: rupees(i.week52Low),
    };
  }
}
