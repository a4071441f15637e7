import { Injectable } from '@nestjs/common';
import type { Instrument } from '../../instruments';
import { MarketReads, type CandleRow } from '../storage/market-reads';
import { HistoryBackfill } from './history-backfill';
import { resample, type IntervalSpec } from './history-params';

export interface History {
  candles: CandleRow[];
  /** Some candles are generated (backfill), not traded. */
  synthetic: boolean;
}

/** Candles for charts: stored timeframes as they are, Kite's 3/10/30-minute ones built from shorter candles. */
@Injectable()
export class HistoryService {
  constructor(
    private readonly reads: MarketReads,
    private readonly backfill: HistoryBackfill,
  ) {}

  async candles(instrument: Instrument, spec: IntervalSpec, from: number, to: number): Promise<History> {
    // Daily history of an instrument nobody charted yet is generated now; read it back from the
    // primary, which a replica may not have caught up with.
    const justWritten = spec.timeframe === 1440 && (await this.backfill.ensure(instrument));
    const rows = await this.reads.candles(instrument.instrumentToken, spec.timeframe, from, to, { primary: justWritten });
    const candles = spec.minutes === spec.timeframe ? rows : resample(rows, spec.minutes);
    return { candles, synthetic: candles.some((c) => c.synthetic) };
  }
}
