import type { Exchange, Instrument } from './instrument';

export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 100;

export interface SearchOptions {
  exchange?: Exchange;
  limit?: number;
}

/** Why a result matched, best first: a trader typing "INF" wants INFY before "Mindspace INFra". */
enum MatchRank {
  ExactSymbol,
  SymbolPrefix,
  NamePrefix,
  NameWordPrefix,
  SymbolSubstring,
  NameSubstring,
}

interface Entry {
  readonly instrument: Instrument;
  readonly symbol: string;
  readonly name: string;
}

function rankOf(entry: Entry, query: string): MatchRank | null {
  if (entry.symbol === query) return MatchRank.ExactSymbol;
  if (entry.symbol.startsWith(query)) return MatchRank.SymbolPrefix;
  if (entry.name.startsWith(query)) return MatchRank.NamePrefix;
  if (entry.name.includes(` ${query}`)) return MatchRank.NameWordPrefix;
  if (entry.symbol.includes(query)) return MatchRank.SymbolSubstring;
  if (entry.name.includes(query)) return MatchRank.NameSubstring;
  return null;
}

/** Within a rank, the shorter of what matched is the closer match ("Reliance Industries" before "Reliance Industrial Infrastructure"). */
function closeness(entry: Entry, rank: MatchRank): number {
  const onSymbol = rank === MatchRank.ExactSymbol || rank === MatchRank.SymbolPrefix || rank === MatchRank.SymbolSubstring;
  return onSymbol ? entry.symbol.length : entry.name.length;
}

/** NSE first: it carries most of the volume, and a trader who wants BSE says so. */
const EXCHANGE_ORDER: Readonly<Record<Exchange, number>> = { NSE: 0, BSE: 1 };

/**
 * Symbol and name search over the in-memory master. A linear scan of ~4,800 entries with
 * precomputed upper-case keys takes well under a millisecond, so no index structure is needed.
 * Only tradable instruments are found.
 */
export class InstrumentSearchIndex {
  private readonly entries: readonly Entry[];

  constructor(instruments: readonly Instrument[]) {
    this.entries = instruments
      .filter((i) => i.tradable)
      .map((instrument) => ({ instrument, symbol: instrument.tradingsymbol, name: instrument.name.toUpperCase() }));
  }

  search(query: string, { exchange, limit = SEARCH_DEFAULT_LIMIT }: SearchOptions = {}): Instrument[] {
    const needle = query.trim().toUpperCase();
    const max = Math.min(Math.max(1, Math.floor(limit)), SEARCH_MAX_LIMIT);
    if (!needle) return [];
    const matches: { entry: Entry; rank: MatchRank }[] = [];
    for (const entry of this.entries) {
      if (exchange && entry.instrument.exchange !== exchange) continue;
      const rank = rankOf(entry, needle);
      if (rank !== null) matches.push({ entry, rank });
    }
    matches.sort(
      (a, b) =>
        a.rank - b.rank ||
        closeness(a.entry, a.rank) - closeness(b.entry, b.rank) ||
        (a.entry.symbol < b.entry.symbol ? -1 : a.entry.symbol > b.entry.symbol ? 1 : 0) ||
        EXCHANGE_ORDER[a.entry.instrument.exchange] - EXCHANGE_ORDER[b.entry.instrument.exchange],
    );
    return matches.slice(0, max).map((m) => m.entry.instrument);
  }
}
