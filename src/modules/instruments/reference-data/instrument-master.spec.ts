import { syntheticPrevClose } from '../rules/synthetic-price';
import { buildInstrumentMaster } from './instrument-master';
import { parseReferenceData } from './reference-data';

const files = {
  instruments: [
    'tradingsymbol,name,isin,series,face_value,lot_size',
    'GANGAFO-RE,Ganga Forging Ltd-RE,INE691Z20015,BE,1,1',
    'GUJRAFFIA,Gujarat Raffia Industries Limited,INE610B01024,EQ,10,100',
    'INFY,Infosys Limited,INE009A01021,EQ,5,1',
    'NOPRICE,No Price Limited,INE000X01010,BZ,2.5,1',
  ].join('\n'),
  prices: [
    'tradingsymbol,date,open,high,low,close,prev_close,volume,week52_high,week52_low',
    'GUJRAFFIA,2026-08-21,40.00,41.00,39.00,40.50,40.00,1000,,',
    'INFY,2026-08-21,1133.00,1133.50,1118.00,1121.00,1130.00,6094967,1728.00,982.40',
  ].join('\n'),
  nifty50: 'tradingsymbol,name,industry,isin\nINFY,Infosys Ltd.,Information Technology,INE009A01021\n',
};

describe('buildInstrumentMaster', () => {
  const master = buildInstrumentMaster(parseReferenceData(files));
  const find = (exchange: string, symbol: string) => master.find((i) => i.exchange === exchange && i.tradingsymbol === symbol)!;

  it('lists every company on NSE and BSE, without rights entitlements', () => {
    expect(master.map((i) => `${i.exchange}:${i.tradingsymbol}`)).toEqual([
      'NSE:GUJRAFFIA', 'NSE:INFY', 'NSE:NOPRICE', 'BSE:GUJRAFFIA', 'BSE:INFY', 'BSE:NOPRICE',
    ]);
  });

  it('prices INFY from its last real close with a 20% band on a 0.10 tick', () => {
    expect(find('NSE', 'INFY')).toEqual({
      instrumentToken: 2 * 256 + 1,
      exchangeToken: 2,
      tradingsymbol: 'INFY',
      name: 'Infosys Limited',
      isin: 'INE009A01021',
      exchange: 'NSE',
      segment: 'NSE',
      series: 'EQ',
      instrumentType: 'EQ',
      tickSize: 10,
      lotSize: 1,
      freezeQty: 74_338,
      prevClose: 1121_00,
      circuitBandPct: 20,
      lowerCircuit: 896_80,
      upperCircuit: 1345_20,
      faceValue: 5_00,
      priceIsSynthetic: false,
      tradable: true,
      suspended: false,
      week52High: 1728_00,
      week52Low: 982_40,
    });
  });

  it('gives the BSE listing its own tokens and group, and the same company data', () => {
    const nse = find('NSE', 'INFY');
    const bse = find('BSE', 'INFY');
    expect(bse).toMatchObject({ exchangeToken: 500_002, instrumentToken: 500_002 * 256 + 4, series: 'A', segment: 'BSE' });
    const { instrumentToken, exchangeToken, exchange, segment, series, ...shared } = nse;
    expect(bse).toMatchObject(shared);
    expect(find('BSE', 'GUJRAFFIA').series).toBe('B');
    expect(find('BSE', 'NOPRICE').series).toBe('Z');
  });

  it('overrides legacy market lots to one share', () => {
    expect(find('NSE', 'GUJRAFFIA').lotSize).toBe(1);
  });

  it('derives a synthetic, flagged price when no real close exists', () => {
    const noPrice = find('NSE', 'NOPRICE');
    expect(noPrice).toMatchObject({ priceIsSynthetic: true, prevClose: syntheticPrevClose('INE000X01010'), circuitBandPct: 2 });
    expect(noPrice).toMatchObject({ week52High: null, week52Low: null, faceValue: 2_50 });
  });

  it('keeps the tokens a database already holds and numbers new symbols after them', () => {
    const rebuilt = buildInstrumentMaster(parseReferenceData(files), [
      { exchange: 'NSE', tradingsymbol: 'INFY', exchangeToken: 7 },
      { exchange: 'BSE', tradingsymbol: 'INFY', exchangeToken: 500_100 },
    ]);
    const tokens = rebuilt.map((i) => `${i.exchange}:${i.tradingsymbol}=${i.exchangeToken}`);
    expect(tokens).toEqual(['NSE:GUJRAFFIA=8', 'NSE:INFY=7', 'NSE:NOPRICE=9', 'BSE:GUJRAFFIA=500101', 'BSE:INFY=500100', 'BSE:NOPRICE=500102']);
  });
});
