import { createHmac } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { codeAt, enrolledUser, freshCode, logIn, newSignup } from './factories/users';
import { REDIS_CONNECTIONS, RedisConnections } from '../src/common/redis/redis.module';
import { TEST_REDIS_URL } from './support/services';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';

const JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function signJwt(payload: object, secret = JWT_SECRET, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('Identity: signup, TOTP, login, sessions (real Postgres + Redis)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ JWT_SECRET, LOGIN_MAX_FAILURES: '4' }));
    db = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  const api = () => request(t.url);
  const userCount = async () => Number((await db.query('SELECT count(*) AS n FROM users'))[0].n);

  it('signs up, enrols TOTP, logs in with password + code, calls /me, refreshes, logs out', async () => {
    const body = newSignup();
    const signup = await api().post('/api/v1/auth/signup').send(body).expect(201);
    expect(signup.body.status).toBe('success');
    expect(signup.body.data).toMatchObject({ kyc_status: 'pending', client_id: expect.stringMatching(/^MS\d+$/) });
    expect(signup.body.data.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Mstock/);
    expect(signup.body.data.qr).toMatch(/^data:image\/png;base64,/);
    const secret = signup.body.data.totp_secret;

    // Login is refused until 2FA is confirmed.
    const early = await api().post('/api/v1/auth/login').send({ email: body.email, password: body.password }).expect(403);
    expect(early.body).toMatchObject({ status: 'error', error_type: 'PermissionException' });

    const confirm = await api()
      .post('/api/v1/auth/totp/confirm')
      .send({ email: body.email, password: body.password, code: freshCode(t, secret) })
      .expect(200);
    expect(confirm.body.data.backup_codes).toHaveLength(10);

    const login = await api().post('/api/v1/auth/login').send({ email: body.email.toUpperCase(), password: body.password }).expect(200);
    const tokens = await api()
      .post('/api/v1/auth/2fa')
      .send({ login_token: login.body.data.login_token, code: freshCode(t, secret) })
      .expect(200);
    expect(tokens.body.data).toMatchObject({ token_type: 'Bearer', expires_in: 900 });

    const me = await api().get('/api/v1/me').set('Authorization', `Bearer ${tokens.body.data.access_token}`).expect(200);
    expect(me.body.data).toMatchObject({ email: body.email, pan: 'ABCXXXXX4F', kyc_status: 'pending' });

    const refreshed = await api().post('/api/v1/auth/refresh').send({ refresh_token: tokens.body.data.refresh_token }).expect(200);
    const access = refreshed.body.data.access_token;
    await api().get('/api/v1/me').set('Authorization', `Bearer ${access}`).expect(200);

    await api().post('/api/v1/auth/logout').set('Authorization', `Bearer ${access}`).expect(200);
    const after = await api().get('/api/v1/me').set('Authorization', `Bearer ${access}`).expect(401);
    expect(after.body).toMatchObject({ status: 'error', error_type: 'TokenException' });
    await api().post('/api/v1/auth/refresh').send({ refresh_token: refreshed.body.data.refresh_token }).expect(401);

    const events = await db.query('SELECT event FROM audit_log WHERE user_id = $1 ORDER BY id', [me.body.data.user_id]);
    expect(events.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining(['signup', 'totp.confirmed', 'login.password_ok', 'login.succeeded']),
    );
  });

  describe('bad signup input gets a 400 InputException and stores nothing', () => {
    it.each([
      ['malformed email', { email: 'not-an-email' }, /email/],
      ['malformed PAN', { pan: 'ABC1234' }, /pan/],
      ['malformed phone', { phone: '12345' }, /phone/],
      ['short password', { password: 'short' }, /password/],
      ['oversized name', { name: 'x'.repeat(101) }, /name/],
      ['unknown field', { admin: 'true' }, /admin should not exist/],
    ])('%s', async (_label, override, message) => {
      const before = await userCount();
      const res = await api().post('/api/v1/auth/signup').send(newSignup(override as Record<string, string>)).expect(400);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'InputException', data: null });
      expect(res.body.message).toMatch(message);
      expect(await userCount()).toBe(before);
    });

    it('refuses a second account with the same email (any case) with 409', async () => {
      const body = newSignup();
      await api().post('/api/v1/auth/signup').send(body).expect(201);
      const res = await api().post('/api/v1/auth/signup').send({ ...body, email: body.email.toUpperCase() }).expect(409);
      expect(res.body.message).toMatch(/already exists/);
    });
  });

  describe('password and second factor', () => {
    it('answers the same 401 for a wrong password and an unknown email', async () => {
      const user = await enrolledUser(t);
      const wrong = await api().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password!' }).expect(401);
      const unknown = await api().post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: 'whatever12' }).expect(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toMatchObject({ error_type: 'TokenException', message: 'Invalid email or password' });
    });

    it('rejects a wrong code, a replayed code and an expired code', async () => {
      const user = await enrolledUser(t);
      const login = async () =>
        (await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200)).body.data.login_token;
      const token = await login();
      await api().post('/api/v1/auth/2fa').send({ login_token: token, code: '000000' }).expect(401);
      await api().post('/api/v1/auth/2fa').send({ login_token: token, code: codeAt(t, user.secret, -5) }).expect(401);
      // The code that confirmed enrolment is still inside the ±1 step window: presenting it again is a replay.
      const replay = await api().post('/api/v1/auth/2fa').send({ login_token: token, code: user.confirmCode }).expect(401);
      expect(replay.body.message).toMatch(/Invalid or already used code/);
      // The login token survives failures, and a fresh code still works.
      await api().post('/api/v1/auth/2fa').send({ login_token: token, code: freshCode(t, user.secret) }).expect(200);
      // ...once: the login token is spent.
      await api().post('/api/v1/auth/2fa').send({ login_token: token, code: freshCode(t, user.secret) }).expect(401);
    });

    it('accepts a backup code once', async () => {
      const user = await enrolledUser(t);
      const token = async () =>
        (await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200)).body.data.login_token;
      await api().post('/api/v1/auth/2fa').send({ login_token: await token(), code: user.backupCodes[0] }).expect(200);
      await api().post('/api/v1/auth/2fa').send({ login_token: await token(), code: user.backupCodes[0] }).expect(401);
    });

    it('locks the account with Retry-After after repeated failures, even for the right password', async () => {
      const user = await enrolledUser(t);
      for (let i = 0; i < 4; i++) {
        await api().post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password!' }).expect(401);
      }
      const locked = await api().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(locked.body).toMatchObject({ status: 'error', message: expect.stringMatching(/Too many failed attempts/) });
      // An unknown email locks the same way: no enumeration through the lockout either.
      for (let i = 0; i < 4; i++) {
        await api().post('/api/v1/auth/login').send({ email: 'ghost@example.com', password: 'wrong password!' }).expect(401);
      }
      await api().post('/api/v1/auth/login').send({ email: 'ghost@example.com', password: 'wrong password!' }).expect(429);
    });
  });

  describe('tokens', () => {
    it.each([
      ['no Authorization header', () => undefined],
      ['a forged signature', (p: object) => signJwt(p, 'some-other-secret-that-is-long-enough-0123456789')],
      ['alg none', (p: object) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(p)}.`],
      ['an expired token', (p: object) => signJwt({ ...p, exp: Math.floor(Date.now() / 1000) - 10 })],
      ['the wrong audience', (p: object) => signJwt({ ...p, aud: 'someone-else' })],
      ['a refresh token used as access', (p: object) => signJwt({ ...p, typ: 'refresh', aud: 'mstock-refresh' })],
    ])('refuses %s with 401 TokenException', async (_label, make) => {
      const user = await enrolledUser(t);
      const tokens = await logIn(t, user);
      const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString());
      const token = make(claims);
      const req = api().get('/api/v1/me');
      if (token) req.set('Authorization', `Bearer ${token}`);
      const res = await req.expect(401);
      expect(res.body).toMatchObject({ status: 'error', error_type: 'TokenException' });
    });

    it('revokes the whole session when a refresh token is used twice', async () => {
      const user = await enrolledUser(t);
      const tokens = await logIn(t, user);
      const first = await api().post('/api/v1/auth/refresh').send({ refresh_token: tokens.refresh_token }).expect(200);
      const reuse = await api().post('/api/v1/auth/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
      expect(reuse.body.message).toMatch(/already used/);
      // The family is dead: the token issued by the legitimate rotation no longer works.
      await api().get('/api/v1/me').set('Authorization', `Bearer ${first.body.data.access_token}`).expect(401);
      await api().post('/api/v1/auth/refresh').send({ refresh_token: first.body.data.refresh_token }).expect(401);
      await new Promise((r) => setTimeout(r, 100)); // the audit write is fire-and-forget
      const [row] = await db.query(`SELECT count(*) AS n FROM audit_log WHERE user_id = $1 AND event = 'refresh.reused'`, [user.userId]);
      expect(Number(row.n)).toBe(1);
    });

    it('publishes session.revoked on logout for every replica to hear', async () => {
      const user = await enrolledUser(t);
      const tokens = await logIn(t, user);
      const sub = new Redis(TEST_REDIS_URL);
      const channel = `${t.config.redis.keyPrefix}session.revoked`;
      await sub.subscribe(channel);
      const heard = new Promise<string>((resolve) => sub.on('message', (_c, m) => resolve(m)));
      await api().post('/api/v1/auth/logout').set('Authorization', `Bearer ${tokens.access_token}`).expect(200);
      const event = JSON.parse(await heard);
      sub.disconnect();
      expect(event).toMatchObject({ userId: user.userId, reason: 'logout', sessionId: expect.any(String) });
    });
  });
});

describe('Rate limits shared across replicas', () => {
  it('counts one user across two app instances and answers 429 with Retry-After', async () => {
    const config = productionTestConfig({ JWT_SECRET, RATE_LIMIT_PER_MINUTE: '6' });
    const a = await startTestApp(config);
    const b = await startTestApp(config);
    try {
      const user = await enrolledUser(a);
      const { access_token } = await logIn(a, user);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await request(i % 2 ? a.url : b.url).get('/api/v1/me').set('Authorization', `Bearer ${access_token}`);
        statuses.push(res.status);
        if (res.status === 429) {
          expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          expect(res.body).toMatchObject({ status: 'error', message: expect.stringMatching(/Too many requests/) });
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('sends a known token\'s session read and its rate-limit count to Redis in one write', async () => {
    const t = await startTestApp(productionTestConfig({ JWT_SECRET }));
    try {
      const user = await enrolledUser(t);
      const { access_token } = await logIn(t, user);
      const me = () => request(t.url).get('/api/v1/me').set('Authorization', `Bearer ${access_token}`).expect(200);
      await me(); // verifies the token; from now on the identity is known before the session is read
      const stream = (t.app.get<RedisConnections>(REDIS_CONNECTIONS).command as unknown as { stream: { write: (chunk: unknown, ...rest: unknown[]) => boolean } }).stream;
      const write = stream.write;
      const writes: string[] = [];
      stream.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
        writes.push(String(chunk));
        return write.call(this, chunk, ...rest);
      };
      try {
        const res = await me();
        expect(res.headers['x-ratelimit-remaining']).toBeDefined();
      } finally {
        stream.write = write;
      }
      const sessionReads = writes.filter((w) => /getex/i.test(w));
      expect(sessionReads).toHaveLength(1);
      expect(sessionReads[0]).toMatch(/evalsha/i);
    } finally {
      await t.close();
    }
  });
});
