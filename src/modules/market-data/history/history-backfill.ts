import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { istDateTime } from '../../../common/clock/ist';
import { rupeesToPaise } from '../../../common/money/money';
import { InstrumentsService, locateReferenceData, type Instrument } from '../../instruments';
import { MarketReads } from '../storage/market-reads';
import { MarketWriter, type HistoryCandle } from '../storage/market-writer';
import { syntheticDailyHistory, type DailyBar } from './synthetic-history';

const REAL_HISTORY_FILE = 'nifty50_daily_ohlcv.csv';

/**
 * Daily history so charts are not empty on a fresh install.
 *
 * Real: resources/reference-data/nifty50_daily_ohlcv.csv — one year of NSE daily candles for ten
 * NIFTY 50 stocks — loaded at start (≈2,500 rows, once per database). Their BSE listings get the
 * same candles flagged synthetic (NSE prices standing in for BSE's).
 *
 * Synthetic: every other instrument gets a generated year (see synthetic-history.ts) on the
 * sessions of that file, written the first time anyone asks for its daily candles. Generating all
 * ~4,700 instruments up front would be ~1.2M rows and most would never be charted; one
 * instrument's year is ~250 rows, a few milliseconds.
 */
@Injectable()
export class HistoryBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(HistoryBackfill.name);
  private real: Map<string, DailyBar[]> | null = null;
  private sessions: string[] = [];
  /** Instruments known to have history (saves a query per chart request). */
  private readonly done = new Set<number>();
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(
    private readonly instruments: InstrumentsService,
    private readonly writer: MarketWriter,
    private readonly reads: MarketReads,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.loadReal();
    } catch (err) {
      // Charts without history are a degraded start, not a reason to refuse one.
      this.logger.warn(`daily history backfill failed: ${(err as Error).message}`);
    }
  }

  /** Makes sure the instrument's daily history is in the database; true when it had to be written now. */
  async ensure(instrument: Instrument): Promise<boolean> {
    const token = instrument.instrumentToken;
    if (this.done.has(token)) return false;
    if ((await this.reads.backfilled([token])).has(token)) {
      this.done.add(token);
      return false;
    }
    let pending = this.inFlight.get(token);
    if (!pending) {
      pending = this.writeSynthetic(instrument).finally(() => this.inFlight.delete(token));
      this.inFlight.set(token, pending);
    }
    await pending;
    this.done.add(token);
    return true;
  }

  private async loadReal(): Promise<void> {
    const real = this.realHistory();
    if (!this.instruments.isLoaded) await this.instruments.reload();
    const listings = [...real.keys()].flatMap((symbol) => {
      const nse = this.instruments.getBySymbol('NSE', symbol);
      if (!nse) return [];
      const bse = this.instruments.all('BSE').find((i) => i.isin === nse.isin);
      return [{ instrument: nse, symbol, synthetic: false }, ...(bse ? [{ instrument: bse, symbol, synthetic: true }] : [])];
    });
    const already = await this.reads.backfilled(listings.map((l) => l.instrument.instrumentToken));
    const todo = listings.filter((l) => !already.has(l.instrument.instrumentToken));
    for (const l of listings) this.done.add(l.instrument.instrumentToken);
    if (todo.length === 0) return;
    const candles = todo.flatMap((l) => real.get(l.symbol)!.map((bar) => toCandle(l.instrument.instrumentToken, bar, l.synthetic)));
    await this.writer.writeHistory(
      candles,
      todo.map((l) => ({ instrumentToken: l.instrument.instrumentToken, source: l.synthetic ? 'synthetic' : 'reference-csv' })),
    );
    this.logger.log(`daily history: ${candles.length} candles of ${todo.length} listings from ${REAL_HISTORY_FILE}`);
  }

  private async writeSynthetic(instrument: Instrument): Promise<void> {
    this.realHistory();
    const bars = syntheticDailyHistory({ seed: instrument.isin, sessions: this.sessions, lastClose: instrument.prevClose, tickSize: instrument.tickSize });
    await this.writer.writeHistory(
      bars.map((bar) => toCandle(instrument.instrumentToken, bar, true)),
      [{ instrumentToken: instrument.instrumentToken, source: 'synthetic' }],
    );
  }

  /** The reference file, parsed once: bars per symbol, and its sessions (the synthetic calendar). */
  private realHistory(): Map<string, DailyBar[]> {
    if (this.real) return this.real;
    const text = readFileSync(join(locateReferenceData(), REAL_HISTORY_FILE), 'utf8');
    const real = new Map<string, DailyBar[]>();
    const sessions = new Set<string>();
    for (const line of text.split('\n').slice(1)) {
      if (!line.trim()) continue;
      const [symbol, date, open, high, low, close, volume] = line.split(',');
      const bar = { date, open: rupeesToPaise(open), high: rupeesToPaise(high), low: rupeesToPaise(low), close: rupeesToPaise(close), volume: Number(volume) };
      const bars = real.get(symbol);
      if (bars) bars.push(bar);
      else real.set(symbol, [bar]);
      sessions.add(date);
    }
    this.sessions = [...sessions].sort();
    this.real = real;
    return real;
  }
}

function toCandle(instrumentToken: number, bar: DailyBar, synthetic: boolean): HistoryCandle {
  return { instrumentToken, day: istDateTime(bar.date, 0), open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, synthetic };
}
