import request from 'supertest';
import { DataSource } from 'typeorm';
import { enrolledUser, logIn } from './factories/users';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';

describe('Operator actions: KYC and trading block', () => {
  let t: TestApp;
  const adminEmail = `ops.${Date.now().toString(36)}@mstock.example`;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ ADMIN_EMAILS: adminEmail }));
  });
  afterAll(() => t?.close());

  it('lets an operator verify KYC and block trading; records both in the audit log', async () => {
    const admin = await enrolledUser(t, { email: adminEmail });
    const trader = await enrolledUser(t);
    const { access_token } = await logIn(t, admin);
    const auth = { Authorization: `Bearer ${access_token}` };

    const kyc = await request(t.url).put(`/api/v1/admin/users/${trader.userId}/kyc`).set(auth).send({ status: 'verified' }).expect(200);
    expect(kyc.body.data).toEqual({ user_id: trader.userId, kyc_status: 'verified' });
    await request(t.url).put(`/api/v1/admin/users/${trader.userId}/trading-block`).set(auth).send({ blocked: true }).expect(200);

    const [row] = await t.app.get(DataSource).query('SELECT kyc_status, trading_blocked FROM users WHERE id = $1', [trader.userId]);
    expect(row).toEqual({ kyc_status: 'verified', trading_blocked: true });
    const events = await t.app.get(DataSource).query(`SELECT event FROM audit_log WHERE user_id = $1 AND event IN ('kyc.changed', 'trading.blocked')`, [trader.userId]);
    expect(events).toHaveLength(2);
  });

  it('refuses traders with 403, bad input with 400 and unknown users with 404', async () => {
    const trader = await enrolledUser(t);
    const { access_token } = await logIn(t, trader);
    const res = await request(t.url)
      .put(`/api/v1/admin/users/${trader.userId}/kyc`)
      .set('Authorization', `Bearer ${access_token}`)
      .send({ status: 'verified' })
      .expect(403);
    expect(res.body).toMatchObject({ status: 'error', error_type: 'PermissionException' });

    const admin = await enrolledUser(t, { email: `2${adminEmail}` });
    const database = t.config.database.url!;
    await t.close();
    // The same database, a new operator list: the restart promotes the second admin.
    t = await startTestApp(productionTestConfig({ ADMIN_EMAILS: `${adminEmail},2${adminEmail}`, DATABASE_URL: database }));
    const { access_token: adminToken } = await logIn(t, admin);
    const auth = { Authorization: `Bearer ${adminToken}` };
    await request(t.url).put(`/api/v1/admin/users/${trader.userId}/kyc`).set(auth).send({ status: 'approved' }).expect(400);
    await request(t.url).put('/api/v1/admin/users/not-a-uuid/kyc').set(auth).send({ status: 'verified' }).expect(400);
    const missing = await request(t.url).put('/api/v1/admin/users/9b2f4f3e-8f1d-4c6a-9a59-0d3c3f1f7a10/kyc').set(auth).send({ status: 'verified' }).expect(404);
    expect(missing.body.status).toBe('error');
  });
});
