import { Injectable } from '@nestjs/common';
import { Exchange, Instrument, instrumentKey, isExchange } from './instrument';
import { InstrumentSearchIndex, SearchOptions } from './instrument-search';
import { InstrumentsRepository } from './persistence/instruments.repository';

/** Everything derived from one load of the master, swapped in as a whole. */
class Catalogue {
  readonly byToken: ReadonlyMap<number, Instrument>;
  readonly bySymbol: ReadonlyMap<string, Instrument>;
  readonly byExchange: Readonly<Record<Exchange, readonly Instrument[]>>;
  readonly index: InstrumentSearchIndex;

  constructor(readonly all: readonly Instrument[]) {
    this.byToken = new Map(all.map((i) => [i.instrumentToken, i]));
    this.bySymbol = new Map(all.map((i) => [instrumentKey(i.exchange, i.tradingsymbol), i]));
    this.byExchange = { NSE: all.filter((i) => i.exchange === 'NSE'), BSE: all.filter((i) => i.exchange === 'BSE') };
    this.index = new InstrumentSearchIndex(all);
  }
}

const TOKEN = /^\d{1,10}$/;

/**
 * The instrument master, held in memory: every lookup on the order and tick paths is a map
 * read, never a query. Loaded once the seeder has brought the table up to date; a reload
 * replaces the whole catalogue in one assignment, so a reader never sees half of one.
 */
@Injectable()
export class InstrumentsService {
  private catalogue = new Catalogue([]);
  private loaded = false;

  constructor(private readonly repository: InstrumentsRepository) {}

  /** (Re)reads the master from the database; returns how many instruments it holds. */
  async reload(): Promise<number> {
    this.catalogue = new Catalogue(await this.repository.loadAll());
    this.loaded = true;
    return this.catalogue.all.length;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  getByToken(instrumentToken: number): Instrument | undefined {
    return this.catalogue.byToken.get(instrumentToken);
  }

  getBySymbol(exchange: Exchange, tradingsymbol: string): Instrument | undefined {
    return this.catalogue.bySymbol.get(instrumentKey(exchange, tradingsymbol.toUpperCase()));
  }

  /** Kite's two ways to name an instrument: "NSE:INFY" or its numeric token (number or digits). */
  resolve(ref: string | number): Instrument | undefined {
    if (typeof ref === 'number') return this.getByToken(ref);
    const text = ref.trim();
    if (TOKEN.test(text)) return this.getByToken(Number(text));
    const colon = text.indexOf(':');
    if (colon < 0) return undefined;
    const exchange = text.slice(0, colon).toUpperCase();
    return isExchange(exchange) ? this.getBySymbol(exchange, text.slice(colon + 1)) : undefined;
  }

  /** Tradable instruments by symbol prefix, then name, best match first (see InstrumentSearchIndex). */
  search(query: string, options: SearchOptions = {}): Instrument[] {
    return this.catalogue.index.search(query, options);
  }

  /** The whole master (or one exchange's), in token order, including instruments no longer tradable. */
  all(exchange?: Exchange): readonly Instrument[] {
    return exchange ? this.catalogue.byExchange[exchange] : this.catalogue.all;
  }
}
