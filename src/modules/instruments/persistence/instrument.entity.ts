import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { paiseColumn } from '../../../common/money/money';
import type { BseGroup, CircuitBandPct, Exchange, NseSeries } from '../instrument';

/** Row of `instruments` (schema in migrations/1764200000000-instruments.ts). Private to the module. */
@Entity('instruments')
@Index('instruments_exchange_symbol_key', ['exchange', 'tradingsymbol'], { unique: true })
export class InstrumentEntity {
  @PrimaryColumn({ name: 'instrument_token', type: 'integer' })
  instrumentToken!: number;

  @Column({ name: 'exchange_token', type: 'integer' })
  exchangeToken!: number;

  @Column({ type: 'text' })
  tradingsymbol!: string;

  @Column({ type: 'text' })
  name!: string;

  @Index('instruments_isin_idx')
  @Column({ type: 'text' })
  isin!: string;

  @Column({ type: 'text' })
  exchange!: Exchange;

  @Column({ type: 'text' })
  segment!: Exchange;

  @Column({ type: 'text' })
  series!: NseSeries | BseGroup;

  @Column({ name: 'instrument_type', type: 'text' })
  instrumentType!: 'EQ';

  @Column({ name: 'tick_size', type: 'bigint', transformer: paiseColumn })
  tickSize!: number;

  @Column({ name: 'lot_size', type: 'integer' })
  lotSize!: number;

  @Column({ name: 'freeze_qty', type: 'integer' })
  freezeQty!: number;

  @Column({ name: 'prev_close', type: 'bigint', transformer: paiseColumn })
  prevClose!: number;

  @Column({ name: 'circuit_band_pct', type: 'smallint' })
  circuitBandPct!: CircuitBandPct;

  @Column({ name: 'lower_circuit', type: 'bigint', transformer: paiseColumn })
  lowerCircuit!: number;

  @Column({ name: 'upper_circuit', type: 'bigint', transformer: paiseColumn })
  upperCircuit!: number;

  @Column({ name: 'face_value', type: 'bigint', transformer: paiseColumn })
  faceValue!: number;

  @Column({ name: 'price_is_synthetic', type: 'boolean' })
  priceIsSynthetic!: boolean;

  @Column({ type: 'boolean' })
  tradable!: boolean;

  @Column({ type: 'boolean' })
  suspended!: boolean;

  @Column({ name: 'week52_high', type: 'bigint', nullable: true, transformer: paiseColumn })
  week52High!: number | null;

  @Column({ name: 'week52_low', type: 'bigint', nullable: true, transformer: paiseColumn })
  week52Low!: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
