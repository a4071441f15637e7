import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InstrumentsSeeder } from '../src/modules/instruments/instruments.seeder';
import { InstrumentsService } from '../src/modules/instruments/instruments.service';
import { startTestApp, TestApp } from './support/test-app';

const REFERENCE = join(__dirname, '..', 'resources', 'reference-data');
const csvColumn = (file: string, column: number) =>
  readFileSync(join(REFERENCE, file), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[column]);

/** Straight from the files, so the expectations follow the data rather than restate it. */
const nseSymbols = csvColumn('instruments.csv', 0).filter((s) => !s.endsWith('-RE'));
const pricedSymbols = new Set(csvColumn('reference_prices.csv', 0));
const HEADER = 'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

describe('Instruments (real Postgres and Redis)', () => {
  let t: TestApp;
  let db: DataSource;
  let seeder: InstrumentsSeeder;
  let instruments: InstrumentsService;

  /** Every column of every row, updated_at included: equal digests mean nothing was written. */
  const tableDigest = async () =>
    (await db.query(`SELECT md5(string_agg(i::text, '|' ORDER BY instrument_token)) AS d FROM instruments i`))[0].d as string;
  const row = async (exchange: string, symbol: string) =>
    (await db.query('SELECT * FROM instruments WHERE exchange = $1 AND tradingsymbol = $2', [exchange, symbol]))[0];

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    seeder = t.app.get(InstrumentsSeeder, { strict: false });
    instruments = t.app.get(InstrumentsService, { strict: false });
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  describe('seeding', () => {
    it('lists every NSE company (rights entitlements aside) on NSE and on BSE', async () => {
      expect(nseSymbols).toHaveLength(2382);
      const counts = await db.query(`SELECT exchange, count(*)::int AS n FROM instruments GROUP BY exchange ORDER BY exchange`);
      expect(counts).toEqual([{ exchange: 'BSE', n: 2382 }, { exchange: 'NSE', n: 2382 }]);
      const [{ paired }] = await db.query(`
        SELECT count(*)::int AS paired FROM instruments n JOIN instruments b
          ON b.exchange = 'BSE' AND b.isin = n.isin AND b.tradingsymbol = n.tradingsymbol
         AND b.name = n.name AND b.prev_close = n.prev_close AND b.circuit_band_pct = n.circuit_band_pct
        WHERE n.exchange = 'NSE'`);
      expect(paired).toBe(2382);
      const [{ rights, lots }] = await db.query(
        `SELECT count(*) FILTER (WHERE tradingsymbol LIKE '%-RE')::int AS rights, array_agg(DISTINCT lot_size) AS lots FROM instruments`,
      );
      expect({ rights, lots }).toEqual({ rights: 0, lots: [1] });
    });

    it('flags exactly the instruments without a real close as synthetic', async () => {
      const synthetic: { tradingsymbol: string }[] = await db.query(
        `SELECT tradingsymbol FROM instruments WHERE exchange = 'NSE' AND price_is_synthetic ORDER BY tradingsymbol`,
      );
      expect(synthetic.map((r) => r.tradingsymbol)).toEqual(nseSymbols.filter((s) => !pricedSymbols.has(s)).sort());
      expect(synthetic.length).toBe(210);
    });

    it('records the reference-data version it loaded', async () => {
      const versions = await db.query(`SELECT dataset, checksum, row_count FROM reference_data_versions`);
      expect(versions).toEqual([{ dataset: 'instruments', checksum: expect.stringMatching(/^[0-9a-f]{64}$/), row_count: 4764 }]);
      expect(seeder.lastOutcome).toMatchObject({ checksum: versions[0].checksum });
      expect(['loaded', 'up-to-date']).toContain(seeder.lastOutcome?.status);
    });

    it('is idempotent: a second seed, even forced, changes nothing', async () => {
      const before = await tableDigest();
      await expect(seeder.seed()).resolves.toMatchObject({ status: 'up-to-date' });
      await expect(seeder.seed({ force: true })).resolves.toMatchObject({ status: 'loaded', rows: 4764, inserted: 0, updated: 0, retired: 0 });
      expect(await tableDigest()).toBe(before);
    });

    it('re-seeds when the stored version differs, keeping tokens and retiring what left the data', async () => {
      const infy = await row('NSE', 'INFY');
      await db.query(`UPDATE instruments SET prev_close = prev_close + 100 WHERE instrument_token = $1`, [infy.instrument_token]);
      await db.query(
        `INSERT INTO instruments (instrument_token, exchange_token, tradingsymbol, name, isin, exchange, segment, series,
           tick_size, lot_size, freeze_qty, prev_close, circuit_band_pct, lower_circuit, upper_circuit, face_value)
         VALUES (99999 * 256 + 1, 99999, 'ZZDELISTED', 'Delisted Ltd', 'INE000Z99999', 'NSE', 'NSE', 'EQ', 5, 1, 10, 10000, 20, 8000, 12000, 1000)`,
      );
      await db.query(`UPDATE reference_data_versions SET checksum = 'older data'`);
      try {
        await expect(seeder.seed()).resolves.toMatchObject({ status: 'loaded', inserted: 0, updated: 1, retired: 1 });
        expect(await row('NSE', 'INFY')).toEqual({ ...infy, updated_at: expect.any(Date) });
        expect(await row('NSE', 'ZZDELISTED')).toMatchObject({ tradable: false });
      } finally {
        await db.query(`DELETE FROM instruments WHERE tradingsymbol = 'ZZDELISTED'`);
      }
      await expect(seeder.seed()).resolves.toMatchObject({ status: 'up-to-date' });
    });

    it('numbers tokens Kite-style: NSE from 1 in symbol order, BSE from 500001', async () => {
      const [tokens] = await db.query(`
        SELECT min(exchange_token) FILTER (WHERE exchange = 'NSE')::int AS nse_min, max(exchange_token) FILTER (WHERE exchange = 'NSE')::int AS nse_max,
               min(exchange_token) FILTER (WHERE exchange = 'BSE')::int AS bse_min, max(exchange_token) FILTER (WHERE exchange = 'BSE')::int AS bse_max,
               count(*) FILTER (WHERE instrument_token <> exchange_token * 256 + CASE exchange WHEN 'NSE' THEN 1 ELSE 4 END)::int AS off_formula
        FROM instruments`);
      expect(tokens).toEqual({ nse_min: 1, nse_max: 2382, bse_min: 500001, bse_max: 502382, off_formula: 0 });
      expect((await row('NSE', nseSymbols[0])).exchange_token).toBe(1);
    });
  });

  describe('in-memory service', () => {
    it('resolves the same frozen instrument by key, token and digits', () => {
      const infy = instruments.getBySymbol('NSE', 'infy')!;
      expect(infy).toMatchObject({ tradingsymbol: 'INFY', isin: 'INE009A01021', prevClose: 1121_00, tickSize: 10, priceIsSynthetic: false });
      expect(Object.isFrozen(infy)).toBe(true);
      expect(instruments.resolve('NSE:INFY')).toBe(infy);
      expect(instruments.resolve(infy.instrumentToken)).toBe(infy);
      expect(instruments.resolve(String(infy.instrumentToken))).toBe(infy);
      expect(instruments.resolve('NFO:INFY')).toBeUndefined();
      expect(instruments.all()).toHaveLength(4764);
      expect(instruments.all('BSE').every((i) => i.exchange === 'BSE')).toBe(true);
    });

    it('reports readiness once the master is loaded', async () => {
      const res = await request(t.url).get('/health/ready');
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).toContain('instruments');
    });
  });

  describe('Kite CSV dump', () => {
    it('serves every tradable instrument with Kite columns and real closes', async () => {
      const res = await request(t.url).get('/instruments');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.split('\n');
      expect(lines[0]).toBe(HEADER);
      expect(lines).toHaveLength(4764 + 2); // header + rows + the final newline
      const infy = instruments.getBySymbol('NSE', 'INFY')!;
      const reliance = instruments.getBySymbol('NSE', 'RELIANCE')!;
      expect(lines).toContain(`${infy.instrumentToken},${infy.exchangeToken},INFY,Infosys Limited,1121,,0,0.1,1,EQ,NSE,NSE`);
      expect(lines).toContain(`${reliance.instrumentToken},${reliance.exchangeToken},RELIANCE,Reliance Industries Limited,1316,,0,0.1,1,EQ,NSE,NSE`);
    });

    it("serves one exchange's instruments", async () => {
      const res = await request(t.url).get('/instruments/bse');
      expect(res.status).toBe(200);
      const rows = res.text.trim().split('\n').slice(1);
      expect(rows).toHaveLength(2382);
      expect(rows.every((r) => r.endsWith(',EQ,BSE,BSE'))).toBe(true);
      const mrf = instruments.getBySymbol('BSE', 'MRF')!;
      expect(rows).toContain(`${mrf.instrumentToken},${mrf.exchangeToken},MRF,MRF Limited,132665,,0,5,1,EQ,BSE,BSE`);
    });

    it('refuses an unknown exchange with an input error', async () => {
      const res = await request(t.url).get('/instruments/NFO');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', message: expect.stringContaining('exchange') });
    });
  });

  describe('JSON API', () => {
    it('returns one instrument in rupees inside the success envelope', async () => {
      const res = await request(t.url).get('/api/v1/instruments/NSE/INFY');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'success',
        data: expect.objectContaining({
          tradingsymbol: 'INFY', exchange: 'NSE', segment: 'NSE', series: 'EQ', isin: 'INE009A01021', instrument_type: 'EQ',
          prev_close: 1121, tick_size: 0.1, lot_size: 1, circuit_band_pct: 20, lower_circuit: 896.8, upper_circuit: 1345.2,
          freeze_qty: 74338, face_value: 5, week52_high: 1728, week52_low: 982.4, price_is_synthetic: false, tradable: true, suspended: false,
        }),
      });
      const bse = await request(t.url).get('/api/v1/instruments/BSE/RELIANCE');
      expect(bse.body.data).toMatchObject({ series: 'A', prev_close: 1316, lower_circuit: 1052.8, upper_circuit: 1579.2, isin: 'INE002A01018' });
      const mm = await request(t.url).get('/api/v1/instruments/NSE/M%26M');
      expect(mm.body.data).toMatchObject({ tradingsymbol: 'M&M', name: 'Mahindra & Mahindra Limited' });
    });

    it('answers 404 in the error envelope for an unknown symbol', async () => {
      const res = await request(t.url).get('/api/v1/instruments/NSE/NOSUCHSYMBOL');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'error', message: 'No instrument NSE:NOSUCHSYMBOL', error_type: 'GeneralException', code: 'INSTRUMENT.NOT_FOUND', data: null });
    });

    it('answers 400 for an unknown exchange or a malformed symbol', async () => {
      for (const path of ['/api/v1/instruments/MCX/INFY', '/api/v1/instruments/NSE/INF$Y']) {
        const res = await request(t.url).get(path);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
      }
    });

    it('searches by symbol prefix before name, NSE first', async () => {
      const res = await request(t.url).get('/api/v1/instruments/search').query({ q: 'infy' });
      expect(res.status).toBe(200);
      const keys = res.body.data.map((i: { exchange: string; tradingsymbol: string }) => `${i.exchange}:${i.tradingsymbol}`);
      expect(keys.slice(0, 2)).toEqual(['NSE:INFY', 'BSE:INFY']);

      const byName = await request(t.url).get('/api/v1/instruments/search').query({ q: 'reliance ind', exchange: 'BSE', limit: 3 });
      expect(byName.body.data.map((i: { tradingsymbol: string }) => i.tradingsymbol)).toEqual(['RELIANCE', 'RIIL']);

      const prefix = await request(t.url).get('/api/v1/instruments/search').query({ q: 'hdfc', exchange: 'nse', limit: 2 });
      expect(prefix.body.data.map((i: { exchange: string; tradingsymbol: string }) => `${i.exchange}:${i.tradingsymbol}`)).toEqual([
        'NSE:HDFCAMC',
        'NSE:HDFCBANK',
      ]);
    });

    it('is documented in the OpenAPI document', async () => {
      const res = await request(t.url).get('/docs/json');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/instruments', '/instruments/{exchange}', '/api/v1/instruments/search', '/api/v1/instruments/{exchange}/{tradingsymbol}']),
      );
      expect(res.body.components.schemas.InstrumentDto.properties).toHaveProperty('upper_circuit');
    });

    it('validates the search query', async () => {
      for (const query of [{}, { q: '' }, { q: 'a', limit: 0 }, { q: 'a', limit: 101 }, { q: 'a', exchange: 'NFO' }, { q: 'a', extra: 1 }]) {
        const res = await request(t.url).get('/api/v1/instruments/search').query(query);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException' });
      }
    });
  });
});
