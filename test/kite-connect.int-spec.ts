import { createHash } from 'node:crypto';
import { KiteConnect } from 'kiteconnect';
import request from 'supertest';
import { enrolledUser, EnrolledUser, freshCode, logIn } from './factories/users';
import { startTestApp, TestApp } from './support/test-app';

/** The official `kiteconnect` npm client, pointed at us, runs the whole Kite Connect login flow. */
describe('Kite Connect compatibility (official kiteconnect client)', () => {
  let t: TestApp;
  let user: EnrolledUser;
  let app: { api_key: string; api_secret: string };

  beforeAll(async () => {
    t = await startTestApp();
    user = await enrolledUser(t, { name: 'Ravi Kumar' });
    const { access_token } = await logIn(t, user);
    const created = await request(t.url)
      .post('/api/v1/apps')
      .set('Authorization', `Bearer ${access_token}`)
      .send({ name: 'My algo', redirect_url: 'https://algo.example.com/callback' })
      .expect(201);
    app = created.body.data;
    expect(app.api_key).toMatch(/^[a-z0-9]{16}$/);
    expect(app.api_secret).toMatch(/^[a-z0-9]{32}$/);
  });
  afterAll(() => t?.close());

  /** The browser part: the login page, then the form post that redirects with request_token. */
  async function requestToken(): Promise<string> {
    const page = await request(t.url).get(`/connect/login?api_key=${app.api_key}&v=3`).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('My algo');
    const res = await request(t.url)
      .post('/connect/login')
      .type('form')
      .send({ api_key: app.api_key, email: user.email, password: user.password, totp: freshCode(t, user.secret) })
      .expect(302);
    const target = new URL(res.headers.location);
    expect(target.origin + target.pathname).toBe('https://algo.example.com/callback');
    expect(target.searchParams.get('status')).toBe('success');
    return target.searchParams.get('request_token')!;
  }

  it('logs in, generates a session with the checksum, calls the API, and invalidates the token', async () => {
    const kc = new KiteConnect({ api_key: app.api_key, root: t.url });
    const session = await kc.generateSession(await requestToken(), app.api_secret);
    expect(session).toMatchObject({ user_name: 'Ravi Kumar', email: user.email, api_key: app.api_key, broker: 'MSTOCK' });
    expect(session.access_token).toEqual(expect.any(String));

    const profile = await kc.getProfile();
    expect(profile).toMatchObject({ user_id: expect.stringMatching(/^MS\d+$/), exchanges: ['NSE', 'BSE'] });

    await kc.invalidateAccessToken();
    await expect(kc.getProfile()).rejects.toMatchObject({ error_type: 'TokenException' });
  });

  it('refuses a wrong checksum and a request_token used twice', async () => {
    const token = await requestToken();
    const bad = await request(t.url)
      .post('/session/token')
      .type('form')
      .send({ api_key: app.api_key, request_token: token, checksum: createHash('sha256').update('forged').digest('hex') })
      .expect(403);
    expect(bad.body).toMatchObject({ status: 'error', error_type: 'TokenException', message: 'Invalid `checksum`.' });

    const checksum = createHash('sha256').update(app.api_key + token + app.api_secret).digest('hex');
    await request(t.url).post('/session/token').type('form').send({ api_key: app.api_key, request_token: token, checksum }).expect(200);
    const again = await request(t.url)
      .post('/session/token')
      .type('form')
      .send({ api_key: app.api_key, request_token: token, checksum })
      .expect(403);
    expect(again.body.message).toMatch(/invalid or has expired/);
  });

  it('re-renders the login page on a wrong TOTP and never redirects', async () => {
    const res = await request(t.url)
      .post('/connect/login')
      .type('form')
      .send({ api_key: app.api_key, email: user.email, password: user.password, totp: '000000' })
      .expect(401);
    expect(res.text).toContain('Invalid or already used TOTP code');
    expect(res.headers.location).toBeUndefined();
  });

  it('does not let another account log in to a personal app', async () => {
    const other = await enrolledUser(t);
    const res = await request(t.url)
      .post('/connect/login')
      .type('form')
      .send({ api_key: app.api_key, email: other.email, password: other.password, totp: freshCode(t, other.secret) })
      .expect(403);
    expect(res.text).toContain('not enabled for your account');
  });

  it('rejects a Kite token sent with another api_key', async () => {
    const kc = new KiteConnect({ api_key: app.api_key, root: t.url });
    const { access_token } = await kc.generateSession(await requestToken(), app.api_secret);
    const res = await request(t.url).get('/user/profile').set('Authorization', `token someotherkey123:${access_token}`).expect(401);
    expect(res.body.error_type).toBe('TokenException');
  });
});
