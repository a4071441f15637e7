import { paiseToRupees } from '../../common/money/money';
import type { Instrument } from './instrument';

/** Kite Connect's instrument dump columns, in Kite's order: SDKs parse by these names. */
export const KITE_DUMP_COLUMNS = [
  'instrument_token',
  'exchange_token',
  'tradingsymbol',
  'name',
  'last_price',
  'expiry',
  'strike',
  'tick_size',
  'lot_size',
  'instrument_type',
  'segment',
  'exchange',
] as const;

/** RFC 4180: quote a field only when it holds a comma, a quote or a line break. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One dump row. Equities have no expiry and a zero strike, as in Kite's file; last_price is
 * the previous close in rupees (what the master knows before the session trades).
 */
function dumpRow(i: Instrument): string {
  return [
    i.instrumentToken,
    i.exchangeToken,
    i.tradingsymbol,
    i.name,
    paiseToRupees(i.prevClose),
    '',
    0,
    paiseToRupees(i.tickSize),
    i.lotSize,
    i.instrumentType,
    i.segment,
    i.exchange,
  ]
    .map(csvField)
    .join(',');
}

/** The Kite-format CSV (header + one line per instrument, newline-terminated). */
export function kiteInstrumentDump(instruments: readonly Instrument[]): string {
  return [KITE_DUMP_COLUMNS.join(','), ...instruments.map(dumpRow)].join('\n') + '\n';
}
