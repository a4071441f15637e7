import type { Exchange, Instrument } from './instrument';
import { InstrumentSearchIndex } from './instrument-search';

function instrument(exchange: Exchange, tradingsymbol: string, name: string, tradable = true): Instrument {
  return { exchange, tradingsymbol, name, tradable } as Instrument;
}

const index = new InstrumentSearchIndex([
  instrument('BSE', 'INFY', 'Infosys Limited'),
  instrument('NSE', 'INFY', 'Infosys Limited'),
  instrument('NSE', 'INFIBEAM', 'Infibeam Avenues Limited'),
  instrument('NSE', 'MINDSPACE', 'Mindspace Infra Limited'),
  instrument('NSE', 'NAUKRI', 'Info Edge (India) Limited'),
  instrument('NSE', 'BSOFT', 'Birlasoft Limited'),
  instrument('NSE', 'ZINFY', 'Zeta Labs Limited'),
  instrument('NSE', 'RIIL', 'Reliance Industrial Infrastructure Limited'),
  instrument('NSE', 'RELIANCE', 'Reliance Industries Limited'),
  instrument('NSE', 'OLDINF', 'Old Infra Limited', false),
]);
const keys = (found: Instrument[]) => found.map((i) => `${i.exchange}:${i.tradingsymbol}`);

describe('InstrumentSearchIndex', () => {
  it('ranks exact symbol, then symbol prefix (shorter first), then name prefix, then name word, then substrings', () => {
    expect(keys(index.search('inf'))).toEqual(['NSE:INFY', 'BSE:INFY', 'NSE:INFIBEAM', 'NSE:NAUKRI', 'NSE:MINDSPACE', 'NSE:RIIL', 'NSE:ZINFY']);
    expect(keys(index.search('INFY'))).toEqual(['NSE:INFY', 'BSE:INFY', 'NSE:ZINFY']);
  });

  it('prefers the shorter name among name matches', () => {
    expect(keys(index.search('reliance ind'))).toEqual(['NSE:RELIANCE', 'NSE:RIIL']);
  });

  it('finds by a word inside the name', () => {
    expect(keys(index.search('soft'))).toEqual(['NSE:BSOFT']);
    expect(keys(index.search('avenues'))).toEqual(['NSE:INFIBEAM']);
  });

  it('filters by exchange and honours the limit', () => {
    expect(keys(index.search('infy', { exchange: 'BSE' }))).toEqual(['BSE:INFY']);
    expect(keys(index.search('inf', { limit: 2 }))).toEqual(['NSE:INFY', 'BSE:INFY']);
  });

  it('skips instruments that are no longer tradable and blank queries', () => {
    expect(keys(index.search('old'))).toEqual([]);
    expect(index.search('   ')).toEqual([]);
  });
});
