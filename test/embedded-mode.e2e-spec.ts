import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/common/config/app-config';
import { DEMO_USER } from '../src/modules/auth/demo-user.seeder';
import { SecondFactorService } from '../src/modules/auth/second-factor.service';
import { startTestApp, TestApp } from './support/test-app';

/** No DATABASE_URL, no REDIS_URL: PGlite in a child process, in-process cache, the demo user. */
describe('Embedded defaults', () => {
  let dir: string;
  let t: TestApp;

  const boot = () => startTestApp(AppConfig.with({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MSTOCK_DATA_DIR: dir }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mstock-embedded-'));
    t = await boot();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs with no external services and reports ready', async () => {
    expect(t.config.database.embedded).toBe(true);
    expect(t.config.redis.embedded).toBe(true);
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    await request(t.url).get('/docs/json').expect(200);
  });

  it('keeps development secrets private in the data directory', () => {
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('seeds a KYC-verified demo user with ₹10 lakh who can log in with password + TOTP', async () => {
    const login = await request(t.url).post('/api/v1/auth/login').send({ email: DEMO_USER.email, password: DEMO_USER.password }).expect(200);
    t.clock.advance(30_000);
    const tokens = await request(t.url)
      .post('/api/v1/auth/2fa')
      .send({ login_token: login.body.data.login_token, code: SecondFactorService.codeFor(DEMO_USER.totpSecret, t.clock.now()) })
      .expect(200);
    const me = await request(t.url).get('/api/v1/me').set('Authorization', `Bearer ${tokens.body.data.access_token}`).expect(200);
    expect(me.body.data).toMatchObject({ email: DEMO_USER.email, kyc_status: 'verified' });
    const funds = await request(t.url).get('/api/v1/funds').set('Authorization', `Bearer ${tokens.body.data.access_token}`).expect(200);
    expect(funds.body.data).toMatchObject({ balance: 1000000, available: 1000000 });
  });

  it('keeps its data across a restart (and does not seed the demo user twice)', async () => {
    const users = async () => Number((await t.app.get(DataSource).query('SELECT count(*) AS n FROM users'))[0].n);
    const before = await users();
    expect(before).toBeGreaterThanOrEqual(1);
    await t.close();
    t = await boot();
    expect(await users()).toBe(before);
    await request(t.url).post('/api/v1/auth/login').send({ email: DEMO_USER.email, password: DEMO_USER.password }).expect(200);
  }, 120_000);
});
