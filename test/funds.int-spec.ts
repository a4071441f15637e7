import request from 'supertest';
import { DataSource } from 'typeorm';
import { FundsService } from '../src/modules/accounts/funds.service';
import { enrolledUser, logIn } from './factories/users';
import { startTestApp, TestApp } from './support/test-app';

describe('Funds: pay-in, pay-out, ledger, Kite margins (real Postgres)', () => {
  let t: TestApp;
  let db: DataSource;
  let funds: FundsService;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    funds = t.app.get(FundsService);
  });
  afterAll(() => t?.close());

  async function trader() {
    const user = await enrolledUser(t);
    const { access_token } = await logIn(t, user);
    return { user, auth: { Authorization: `Bearer ${access_token}` } };
  }

  it('pays in and out in rupees, keeps paise exact, and the ledger sums to the balance', async () => {
    const { user, auth } = await trader();
    const empty = await request(t.url).get('/api/v1/funds').set(auth).expect(200);
    expect(empty.body.data).toMatchObject({ balance: 0, available: 0, blocked: 0 });
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 1000.1 }).expect(200);
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 10.2 }).expect(200);
    const out = await request(t.url).post('/api/v1/funds/payout').set(auth).send({ amount: 250.15 }).expect(200);
    expect(out.body.data).toMatchObject({ balance: 760.15, available: 760.15, blocked: 0 });
    expect(await funds.get(user.userId)).toMatchObject({ balance: 76015, available: 76015 });
    const check = await funds.verifyLedger(user.userId);
    expect(check.balanced).toBe(true);
    expect(check.ledger.balance).toBe(76015);
  });

  it('refuses a pay-out beyond free cash with a MarginException and changes nothing', async () => {
    const { user, auth } = await trader();
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 100 }).expect(200);
    const res = await request(t.url).post('/api/v1/funds/payout').set(auth).send({ amount: 100.01 }).expect(400);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'MarginException', message: expect.stringMatching(/exceeds free cash/) });
    expect((await funds.get(user.userId)).balance).toBe(10000);
  });

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['three decimals', 10.123],
    ['a string', '100'],
    ['too large', 1e12],
    ['missing', undefined],
  ])('rejects a %s amount with 400 InputException', async (_label, amount) => {
    const { user, auth } = await trader();
    const res = await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount }).expect(400);
    expect(res.body.error_type).toBe('InputException');
    expect((await funds.get(user.userId)).balance).toBe(0);
  });

  it('lets exactly as many concurrent pay-outs through as the cash covers', async () => {
    const { user, auth } = await trader();
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 1000 }).expect(200);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => request(t.url).post('/api/v1/funds/payout').set(auth).send({ amount: 100 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 400)).toHaveLength(15);
    expect(await funds.get(user.userId)).toMatchObject({ balance: 0, available: 0 });
    expect((await funds.verifyLedger(user.userId)).balanced).toBe(true);
  });

  it('answers Kite margins in Kite shape', async () => {
    const { auth } = await trader();
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 5000 }).expect(200);
    const res = await request(t.url).get('/user/margins').set(auth).expect(200);
    expect(res.body.data.equity).toMatchObject({ enabled: true, net: 5000, available: { cash: 5000, live_balance: 5000 } });
    expect(res.body.data.commodity.enabled).toBe(false);
    await request(t.url).get('/user/margins/equity').set(auth).expect(200);
    await request(t.url).get('/user/margins/currency').set(auth).expect(400);
  });

  it('the database itself refuses a negative available balance and any edit of the ledger', async () => {
    const { user, auth } = await trader();
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 10 }).expect(200);
    await expect(db.query('UPDATE accounts SET available = available - 2000, balance = balance - 2000 WHERE user_id = $1', [user.userId])).rejects.toThrow(
      /available_check|violates check constraint/,
    );
    await expect(db.query('UPDATE ledger_entries SET balance_delta = 0 WHERE user_id = $1', [user.userId])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM ledger_entries WHERE user_id = $1', [user.userId])).rejects.toThrow(/append-only/);
  });

  it('margin block, release and a fill settle exactly; a loss past free cash becomes a debit', async () => {
    const { user, auth } = await trader();
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 1000 }).expect(200);
    await db.transaction(async (m) => {
      expect(await funds.block(m, user.userId, 80000, { type: 'order', id: 'o1' })).toBe(true);
      expect(await funds.block(m, user.userId, 30000, { type: 'order', id: 'o2' })).toBe(false);
      await funds.release(m, user.userId, 30000, { type: 'order', id: 'o1' });
      // A buy filled for ₹450 against ₹500 still blocked for it: ₹50 comes back.
      await funds.settle(m, user.userId, { release: 50000, cash: -45000, ref: { type: 'trade', id: 't1' } });
    });
    expect(await funds.get(user.userId)).toMatchObject({ balance: 55000, blocked: 0, available: 55000, debit: 0 });
    await db.transaction((m) => funds.settle(m, user.userId, { release: 0, cash: -60000, ref: { type: 'position', id: 'p1' } }));
    expect(await funds.get(user.userId)).toMatchObject({ balance: -5000, available: 0, debit: 5000 });
    await request(t.url).post('/api/v1/funds/payin').set(auth).send({ amount: 100 }).expect(200);
    expect(await funds.get(user.userId)).toMatchObject({ balance: 5000, available: 5000, debit: 0 });
    expect((await funds.verifyLedger(user.userId)).balanced).toBe(true);
  });
});
