import request from 'supertest';
import { productionTestConfig, startTestApp, TestApp } from './support/test-app';

/** The foundation as a client sees it: health, docs, metrics, and the error envelope for bad requests. */
describe('App on real Postgres and Redis', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(productionTestConfig({ HTTP_BODY_LIMIT_BYTES: '2048' }));
  });
  afterAll(() => t?.close());

  it('is live and ready, with database and Redis checked', async () => {
    await request(t.url).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('serves the OpenAPI document generated from the DTOs', async () => {
    const doc = await request(t.url).get('/docs/json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/signup', '/api/v1/auth/login']));
    const signup = doc.body.components.schemas.SignupDto;
    expect(signup.required).toEqual(expect.arrayContaining(['email', 'password', 'phone', 'pan', 'name']));
    await request(t.url).get('/docs').expect(200);
  });

  it('exposes Prometheus metrics: HTTP latency, DB pool, Redis latency, event-loop lag', async () => {
    await request(t.url).get('/docs/json');
    await request(t.url).get('/health/ready');
    const metrics = await request(t.url).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    for (const name of ['http_request_duration_seconds_bucket', 'db_pool_connections', 'redis_command_duration_seconds', 'nodejs_eventloop_lag']) {
      expect(metrics.text).toContain(name);
    }
    expect(metrics.text).toContain('route="/docs/json"');
    // probes and scrapes would outnumber real traffic in the latency histogram
    expect(metrics.text).not.toContain('route="/health/ready"');
    expect(metrics.text).not.toContain('route="/metrics"');
  });

  it('echoes or assigns a request id', async () => {
    const given = await request(t.url).get('/health/live').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const assigned = await request(t.url).get('/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(assigned.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('bad requests get a clean 4xx in the envelope, never a 500 or a stack', () => {
    const envelope = (type: string) => ({ status: 'error', error_type: type, data: null, message: expect.any(String) });

    it('unknown route → 404', async () => {
      const res = await request(t.url).get('/api/v1/nope').expect(404);
      expect(res.body).toMatchObject(envelope('GeneralException'));
    });

    it('malformed JSON → 400', async () => {
      const res = await request(t.url).post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
      expect(res.body).toMatchObject(envelope('InputException'));
      expect(res.text).not.toMatch(/at .*\.js/);
    });

    it('unsupported content type → 415', async () => {
      const res = await request(t.url).post('/api/v1/auth/login').set('Content-Type', 'application/xml').send('<a/>').expect(415);
      expect(res.body).toMatchObject(envelope('InputException'));
    });

    it('oversized body → 413', async () => {
      const res = await request(t.url)
        .post('/api/v1/auth/login')
        .send({ email: 'a@b.co', password: 'x'.repeat(5000) })
        .expect(413);
      expect(res.body).toMatchObject(envelope('InputException'));
    });

    it('wrong JSON types → 400 naming the field', async () => {
      const res = await request(t.url).post('/api/v1/auth/login').send({ email: 42, password: ['x'] }).expect(400);
      expect(res.body).toMatchObject(envelope('InputException'));
      expect(res.body.message).toMatch(/email/);
      expect(res.body.message).toMatch(/password/);
    });

    it('a JSON array or null body → 400', async () => {
      await request(t.url).post('/api/v1/auth/login').send([1, 2]).expect(400);
      await request(t.url).post('/api/v1/auth/login').set('Content-Type', 'application/json').send('null').expect(400);
    });

    it('protected route without a token → 401 TokenException', async () => {
      const res = await request(t.url).get('/api/v1/me').expect(401);
      expect(res.body).toMatchObject(envelope('TokenException'));
    });
  });
});

describe('Replicas starting together on an empty database', () => {
  it('take turns on the migrations (advisory lock) and both come up ready', async () => {
    const config = productionTestConfig();
    const [a, b] = await Promise.all([startTestApp(config), startTestApp(config)]);
    try {
      await request(a.url).get('/health/ready').expect(200);
      await request(b.url).get('/health/ready').expect(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
