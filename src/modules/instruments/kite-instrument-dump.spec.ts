import type { Instrument } from './instrument';
import { kiteInstrumentDump } from './kite-instrument-dump';

const infy = {
  instrumentToken: 408_065,
  exchangeToken: 1594,
  tradingsymbol: 'INFY',
  name: 'Infosys Limited',
  prevClose: 1121_00,
  tickSize: 10,
  lotSize: 1,
  instrumentType: 'EQ',
  segment: 'NSE',
  exchange: 'NSE',
} as Instrument;

describe('kiteInstrumentDump', () => {
  it("writes Kite's header and rupee prices", () => {
    expect(kiteInstrumentDump([infy])).toBe(
      'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange\n' +
        '408065,1594,INFY,Infosys Limited,1121,,0,0.1,1,EQ,NSE,NSE\n',
    );
  });

  it('quotes names that hold a comma or a quote', () => {
    const odd = { ...infy, name: 'A, "B" Ltd', prevClose: 5, tickSize: 1 };
    expect(kiteInstrumentDump([odd]).split('\n')[1]).toBe('408065,1594,INFY,"A, ""B"" Ltd",0.05,,0,0.01,1,EQ,NSE,NSE');
  });

  it('writes only the header for an empty list', () => {
    expect(kiteInstrumentDump([]).split('\n')).toHaveLength(2);
  });
});
