import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Paise, rupeesToPaise } from '../../../common/money/money';
import type { NseSeries } from '../instrument';
import { CsvRecord, readCsvRecords } from './csv';

/** NSE's list of cash-market securities (one row per symbol). */
export interface NseListing {
  readonly line: number;
  readonly tradingsymbol: string;
  readonly name: string;
  readonly isin: string;
  readonly series: NseSeries;
  readonly faceValue: Paise;
  /** NSE's MARKET LOT column (legacy values on four old listings). */
  readonly marketLot: number;
}

/** A symbol's last real EQ-series session. */
export interface ReferenceClose {
  readonly date: string;
  readonly close: Paise;
  readonly week52High: Paise | null;
  readonly week52Low: Paise | null;
}

export interface ReferenceData {
  readonly listings: readonly NseListing[];
  readonly closes: ReadonlyMap<string, ReferenceClose>;
  readonly nifty50: ReadonlySet<string>;
}

export interface ReferenceFiles {
  readonly instruments: string;
  readonly prices: string;
  readonly nifty50: string;
}

const FILE_NAMES: Readonly<Record<keyof ReferenceFiles, string>> = {
  instruments: 'instruments.csv',
  prices: 'reference_prices.csv',
  nifty50: 'nifty50.csv',
};
const REFERENCE_DIR = join('resources', 'reference-data');
const SYMBOL = /^[A-Z0-9&-]{1,30}$/;
const ISIN = /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/;
const SERIES: readonly string[] = ['EQ', 'BE', 'BZ'];

/**
 * The project root is the nearest ancestor of this file holding resources/reference-data:
 * src/modules/instruments/reference-data under ts-jest, dist/src/… in the build.
 */
export function locateReferenceData(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, REFERENCE_DIR);
    if (existsSync(join(candidate, FILE_NAMES.instruments))) return candidate;
    if (dirname(dir) === dir) throw new Error(`reference data not found: no ${REFERENCE_DIR} above ${from}`);
  }
}

export function readReferenceFiles(dir: string): ReferenceFiles {
  const read = (key: keyof ReferenceFiles) => readFileSync(join(dir, FILE_NAMES[key]), 'utf8');
  return { instruments: read('instruments'), prices: read('prices'), nifty50: read('nifty50') };
}

/** Identifies this exact reference data: any edit to any file changes it. */
export function checksumOf(files: ReferenceFiles): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(FILE_NAMES) as (keyof ReferenceFiles)[]) hash.update(`${FILE_NAMES[key]}\0${files[key]}\0`);
  return hash.digest('hex');
}

function field(record: CsvRecord, column: string, source: string, pattern?: RegExp): string {
  const value = record.values[column];
  if (!value || (pattern && !pattern.test(value))) throw new Error(`${source}:${record.line}: bad ${column} "${value}"`);
  return value;
}

function price(record: CsvRecord, column: string, source: string): Paise {
  const paise = rupeesToPaise(field(record, column, source), column);
  if (paise <= 0) throw new Error(`${source}:${record.line}: ${column} must be positive`);
  return paise;
}

function optionalPrice(record: CsvRecord, column: string, source: string): Paise | null {
  return record.values[column] ? price(record, column, source) : null;
}

function parseListings(text: string): NseListing[] {
  const source = FILE_NAMES.instruments;
  const records = readCsvRecords(text, ['tradingsymbol', 'name', 'isin', 'series', 'face_value', 'lot_size'], source);
  return records.map((r) => {
    const series = field(r, 'series', source);
    if (!SERIES.includes(series)) throw new Error(`${source}:${r.line}: unknown series "${series}"`);
    const marketLot = Number(field(r, 'lot_size', source, /^[1-9][0-9]{0,6}$/));
    return {
      line: r.line,
      tradingsymbol: field(r, 'tradingsymbol', source, SYMBOL),
      name: field(r, 'name', source),
      isin: field(r, 'isin', source, ISIN),
      series: series as NseSeries,
      faceValue: price(r, 'face_value', source),
      marketLot,
    };
  });
}

function parseCloses(text: string): Map<string, ReferenceClose> {
  const source = FILE_NAMES.prices;
  const records = readCsvRecords(text, ['tradingsymbol', 'date', 'close', 'week52_high', 'week52_low'], source);
  const closes = new Map<string, ReferenceClose>();
  for (const r of records) {
    const symbol = field(r, 'tradingsymbol', source, SYMBOL);
    if (closes.has(symbol)) throw new Error(`${source}:${r.line}: duplicate symbol ${symbol}`);
    closes.set(symbol, {
      date: field(r, 'date', source, /^\d{4}-\d{2}-\d{2}$/),
      close: price(r, 'close', source),
      week52High: optionalPrice(r, 'week52_high', source),
      week52Low: optionalPrice(r, 'week52_low', source),
    });
  }
  return closes;
}

function parseNifty50(text: string): Set<string> {
  const source = FILE_NAMES.nifty50;
  return new Set(readCsvRecords(text, ['tradingsymbol'], source).map((r) => field(r, 'tradingsymbol', source, SYMBOL)));
}

/** Parses and checks the three files; throws on anything malformed rather than seeding half a master. */
export function parseReferenceData(files: ReferenceFiles): ReferenceData {
  const listings = parseListings(files.instruments);
  const seen = new Set<string>();
  for (const l of listings) {
    if (seen.has(l.tradingsymbol)) throw new Error(`${FILE_NAMES.instruments}:${l.line}: duplicate symbol ${l.tradingsymbol}`);
    seen.add(l.tradingsymbol);
  }
  return { listings, closes: parseCloses(files.prices), nifty50: parseNifty50(files.nifty50) };
}
