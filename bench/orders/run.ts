/**
 * Order-accept benchmark (DESIGN §8): the real app (POST /api/v1/orders, real Postgres + Redis)
 * against the bare floor (Fastify + pg doing only margin UPDATE + order INSERT + idempotency
 * INSERT, as a BEGIN…COMMIT transaction and as one CTE statement), side by side in one run.
 *   npx ts-node --transpile-only bench/orders/run.ts   (= npm run bench:orders)
 *
 * Env (all optional):
 *   BENCH_USERS (200) BENCH_CONNECTIONS (50) BENCH_RATE (500 orders/s)
 *   BENCH_WARMUP_SECONDS (5) BENCH_PEAK_SECONDS (15) BENCH_RATE_SECONDS (20) BENCH_PACED_SECONDS (15; 0 skips)
 *   BENCH_ROUNDS (3: the peak and fixed-rate phases are run this many times, interleaved across the
 *     targets; each target's median round is the one reported)
 *   BENCH_DRAIN_TIMEOUT_SECONDS (180: how long to wait between phases for ours' outbox to empty)
 *   BENCH_TARGETS (ours,floor-tx,floor-cte) BENCH_OUT (bench/results/orders.md; "-" prints only) BENCH_JSON (raw results to this file)
 *   BENCH_APP (tree | head): `tree` (default) runs the working tree's build (scripts/ensure-build.js, then
 *     dist/src/main.js); `head` builds the committed HEAD in a private temp directory first, so
 *     other people's uncommitted edits (or a broken working tree) do not end up in the numbers
 *   BENCH_APP_DIR (a directory holding an already-built dist/src/main.js to run instead, e.g. a
 *     patched copy for an A/B experiment; overrides BENCH_APP)
 *   BENCH_APP_NODE_ARGS (extra node flags for the app child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 *   BENCH_TRACE (a path prefix: each autocannon phase writes "<send time, epoch ms> <latency ms>" per answered order
 *     to <prefix>-<target>-<phase>-<epoch ms>.txt, to see when in a phase the slow ones were sent)
 *   PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres) BENCH_REDIS_URL (redis://127.0.0.1:6379)
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { Client } from 'pg';
import speakeasy from 'speakeasy';

// autocannon ships no types; the slice of its programmatic API used here.
interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest, context: unknown) => AutocannonRequest;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  overallRate?: number;
  timeout?: number;
  ignoreCoordinatedOmission?: boolean;
  requests: AutocannonRequest[];
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  then: Promise<AutocannonResult>['then'];
  stop(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: AutocannonOptions) => AutocannonInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { appNodeFlags } = require('../../scripts/app-node-flags') as { appNodeFlags: () => string[] };

const ROOT = path.join(__dirname, '..', '..');
const num = (name: string, dflt: number) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : dflt);
const USERS = num('BENCH_USERS', 200);
const CONNECTIONS = num('BENCH_CONNECTIONS', 50);
const RATE = num('BENCH_RATE', 500);
const WARMUP_S = num('BENCH_WARMUP_SECONDS', 5);
const PEAK_S = num('BENCH_PEAK_SECONDS', 15);
const RATE_S = num('BENCH_RATE_SECONDS', 20);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const PACED_S = num('BENCH_PACED_SECONDS', 15);
const DRAIN_TIMEOUT_S = num('BENCH_DRAIN_TIMEOUT_SECONDS', 180);
const POOL_SIZE = 20; // the app's DATABASE_POOL_SIZE default; the floor uses the same
const TARGETS = (process.env.BENCH_TARGETS ?? 'ours,floor-tx,floor-cte').split(',').map((s) => s.trim()) as TargetName[];
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = `mstock_bench_${process.pid}`;
const DATABASE_URL = `postgres://${PG.user}@${PG.host}:${PG.port}/${DB}`;
const REDIS_PREFIX = `mstock-bench-${process.pid}:`;
const APP_MODE = (process.env.BENCH_APP ?? 'tree') as 'tree' | 'head';
/** Private scratch: the HEAD build (BENCH_APP=head) and the app's MSTOCK_DATA_DIR; removed at the end. */
const SCRATCH = path.join(os.tmpdir(), `mstock-bench-orders-${process.pid}`);
let appDir = ROOT;
let appVersion = '';
const RUN_ID = randomBytes(3).toString('hex');
const SYMBOLS = ['INFY', 'TCS', 'RELIANCE', 'HDFCBANK', 'ICICIBANK', 'SBIN', 'ITC', 'LT'];
const CLK_TCK = 100;
/** Settings of the app child: see the results file for why each is what it is. */
const APP_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  MARKET_HOURS: 'always-open',
  SIM_LIQUIDITY: 'false',
  KYC_AUTO_APPROVE: 'true',
  RATE_LIMIT_PER_MINUTE: '100000000',
  ANON_RATE_LIMIT_PER_MINUTE: '100000000',
  ORDER_RATE_LIMIT_PER_SECOND: '10000000',
  DATABASE_POOL_SIZE: String(POOL_SIZE),
};

type TargetName = 'ours' | 'floor-tx' | 'floor-cte';
const LABEL: Record<TargetName, string> = {
  ours: 'ours (Mstock, POST /api/v1/orders)',
  'floor-tx': 'floor: Fastify + pg, BEGIN…COMMIT (5 round trips)',
  'floor-cte': 'floor: Fastify + pg, one CTE statement',
};

// ---------------------------------------------------------------- cleanup

const children = new Set<ChildProcess>();
let dbCreated = false;
let cleaned = false;
/** The bench's own connection to the bench database (closed before the database is dropped). */
let monitorClient: Client | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await Promise.all([...children].map((c) => stopChild(c, 5000).catch(() => undefined)));
  rmSync(SCRATCH, { recursive: true, force: true });
  await monitorClient?.end().catch(() => undefined);
  if (dbCreated) {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch((err) => console.error(`could not drop ${DB}: ${(err as Error).message}`));
    dbCreated = false;
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    if (removed) console.log(`removed ${removed} Redis keys under ${REDIS_PREFIX}`);
  } catch (err) {
    console.error(`Redis cleanup failed: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/** Last resort when the process is leaving without having cleaned up (synchronous only). */
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
  rmSync(SCRATCH, { recursive: true, force: true });
  if (dbCreated) {
    try {
      execFileSync('psql', ['-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', 'postgres', '-qc', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`], { stdio: 'ignore' });
    } catch {
      /* nothing more to do */
    }
  }
});
process.on('uncaughtException', (err) => {
  console.error(err);
  void cleanup().finally(() => process.exit(1));
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: cleaning up (server logs kept: ${path.join(os.tmpdir(), `bench-orders-${process.pid}-*.log`)})`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- helpers

async function adminQuery(sql: string): Promise<void> {
  const c = new Client({ ...PG, database: 'postgres' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface Server {
  name: TargetName;
  child: ChildProcess;
  base: string;
  port: number;
  log: string;
}

async function startServer(name: TargetName, args: string[], env: Record<string, string>, cwd = ROOT): Promise<Server> {
  const port = await freePort();
  const log = path.join(os.tmpdir(), `bench-orders-${process.pid}-${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(process.execPath, args, {
    cwd,
    detached: true, // own process group: killed as a group
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} while starting; see ${log}:\n${tail(log)}`);
    try {
      const r = await fetch(`${base}/health/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after 90 s; see ${log}:\n${tail(log)}`);
    await sleep(250);
  }
  return { name, child, base, port, log };
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function api<T = Record<string, unknown>>(base: string, method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; data: T; raw: unknown }> {
  const r = await fetch(base + p, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const raw = (await r.json().catch(() => null)) as { data?: T } | null;
  return { status: r.status, data: (raw?.data ?? {}) as T, raw };
}

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- users (through the real API)

const STEP_S = 30;
const totp = (secret: string, offsetSteps: number) =>
  speakeasy.totp({ secret, encoding: 'base32', step: STEP_S, time: Math.floor(Date.now() / 1000) + offsetSteps * STEP_S });

/** Stay clear of a 30 s step boundary so a code computed now is still in the ±1 window on arrival. */
async function awayFromStepEdge(): Promise<void> {
  const intoStep = Date.now() % (STEP_S * 1000);
  if (intoStep > STEP_S * 1000 - 1500) await sleep(STEP_S * 1000 - intoStep + 100);
}

/**
 * signup → TOTP confirm (code of step −1) → login → 2fa (code of the current step: a later step
 * than the confirm's, each accepted once) → pay-in. Returns the Bearer token.
 */
async function createUser(base: string, i: number): Promise<string> {
  const email = `bench.${RUN_ID}.${i}@example.com`;
  const password = 'correct horse battery staple';
  const signup = await api<{ totp_secret: string; kyc_status: string }>(base, 'POST', '/api/v1/auth/signup', {
    email,
    password,
    phone: '9812345678',
    pan: 'ABCPE1234F',
    name: 'Bench Trader',
  });
  if (signup.status !== 201) throw new Error(`signup ${signup.status}: ${JSON.stringify(signup.raw)}`);
  if (signup.data.kyc_status !== 'verified') throw new Error(`KYC is ${signup.data.kyc_status}: KYC_AUTO_APPROVE not applied`);
  const secret = signup.data.totp_secret;
  for (let attempt = 0; ; attempt++) {
    await awayFromStepEdge();
    const confirm = await api(base, 'POST', '/api/v1/auth/totp/confirm', { email, password, code: totp(secret, -1) });
    if (confirm.status === 200) break;
    if (attempt >= 3) throw new Error(`totp confirm ${confirm.status}: ${JSON.stringify(confirm.raw)}`);
    await sleep(STEP_S * 1000); // the −1 step may have been spent; the next step's −1 is fresh
  }
  let token = '';
  for (let attempt = 0; ; attempt++) {
    const login = await api<{ login_token: string }>(base, 'POST', '/api/v1/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login ${login.status}: ${JSON.stringify(login.raw)}`);
    await awayFromStepEdge();
    const tfa = await api<{ access_token: string }>(base, 'POST', '/api/v1/auth/2fa', { login_token: login.data.login_token, code: totp(secret, 0) });
    if (tfa.status === 200) {
      token = tfa.data.access_token;
      break;
    }
    if (attempt >= 2) throw new Error(`2fa ${tfa.status}: ${JSON.stringify(tfa.raw)}`);
    await sleep(STEP_S * 1000);
  }
  const payin = await api(base, 'POST', '/api/v1/funds/payin', { amount: 10_000_000 }, token);
  if (payin.status !== 200) throw new Error(`payin ${payin.status}: ${JSON.stringify(payin.raw)}`);
  return token;
}

// ---------------------------------------------------------------- order bodies

interface Instrument {
  tradingsymbol: string;
  tick_size: number;
  prev_close: number;
  lower_circuit: number;
  upper_circuit: number;
}

interface PricePlan {
  symbol: string;
  /** Paise: a tick multiple ~2% under prev close (a resting buy), inside the circuit band. */
  base: number;
  tick: number;
}

async function pricePlans(base: string): Promise<PricePlan[]> {
  const plans: PricePlan[] = [];
  for (const s of SYMBOLS) {
    const r = await api<Instrument>(base, 'GET', `/api/v1/instruments/NSE/${s}`);
    if (r.status !== 200) continue;
    const tick = Math.round(r.data.tick_size * 100);
    const lower = Math.round(r.data.lower_circuit * 100);
    const prev = Math.round(r.data.prev_close * 100);
    const price = Math.floor((prev * 0.98) / tick) * tick;
    if (price - 10 * tick < lower) continue;
    plans.push({ symbol: s, base: price, tick });
  }
  if (plans.length < 3) throw new Error(`only ${plans.length} usable NSE symbols among ${SYMBOLS.join(', ')}`);
  return plans;
}

/** Request i: user i mod N, its own Idempotency-Key, a symbol and a price a few ticks apart. */
function makeRequest(tokens: string[], plans: PricePlan[]) {
  let seq = 0;
  return (): { path: string; headers: Record<string, string>; body: string } => {
    const i = seq++;
    const u = i % tokens.length;
    const plan = plans[(i >> 3) % plans.length];
    const paise = plan.base - (i % 10) * plan.tick;
    const body = JSON.stringify({
      exchange: 'NSE',
      tradingsymbol: plan.symbol,
      transaction_type: 'BUY',
      order_type: 'LIMIT',
      product: 'CNC',
      validity: 'DAY',
      quantity: 1,
      price: paise / 100,
    });
    return {
      path: '/api/v1/orders',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens[u]}`,
        'idempotency-key': `bench-${RUN_ID}-${i}`,
        'x-bench-user': String(u),
      },
      body,
    };
  };
}

// ---------------------------------------------------------------- CPU accounting

function procTicks(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = v.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - n[3] - n[4], total };
}

interface CpuSnap {
  at: number;
  server: number;
  machine: { busy: number; total: number };
  gen: NodeJS.CpuUsage;
}

/**
 * CPU of one target while a phase runs: its server process, and its Postgres backends (found by
 * application_name, polled through the phase because the pool opens and closes connections).
 */
class CpuMeter {
  private backends = new Map<number, { first: number; last: number }>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private started = false;
  private snapAt?: CpuSnap;
  constructor(
    private readonly serverPid: number,
    private readonly monitor: Client,
    private readonly appNames: string[],
  ) {}
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { rows } = await this.monitor.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ANY($1)', [this.appNames]);
      for (const { pid } of rows as { pid: number }[]) {
        const t = procTicks(pid);
        if (!t) continue;
        const e = this.backends.get(pid);
        if (e) e.last = t;
        else this.backends.set(pid, { first: this.started ? 0 : t, last: t }); // born during the phase: all of it counts
      }
    } finally {
      this.polling = false;
    }
  }
  async begin(): Promise<void> {
    this.backends.clear();
    this.started = false;
    await this.poll();
    this.started = true;
    this.timer = setInterval(() => void this.poll().catch(() => undefined), 500);
    this.snapAt = { at: performance.now(), server: procTicks(this.serverPid), machine: machineTicks(), gen: process.cpuUsage() };
  }
  /** CPU since begin(): % of one core (server, its Postgres backends, this process) and machine busy %, plus raw seconds. */
  async read() {
    const a = this.snapAt!;
    const at = performance.now();
    const server = procTicks(this.serverPid);
    const machine = machineTicks();
    const gen = process.cpuUsage(a.gen);
    while (this.polling) await sleep(5);
    await this.poll();
    const wall = (at - a.at) / 1000;
    const serverSeconds = (server - a.server) / CLK_TCK;
    const pgSeconds = [...this.backends.values()].reduce((sum, e) => sum + (e.last - e.first), 0) / CLK_TCK;
    return {
      server: (serverSeconds / wall) * 100,
      pg: (pgSeconds / wall) * 100,
      gen: ((gen.user + gen.system) / 1e6 / wall) * 100,
      machine: ((machine.busy - a.machine.busy) / Math.max(1, machine.total - a.machine.total)) * 100,
      serverSeconds,
      pgSeconds,
    };
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------- load phases

interface Phase {
  name: string;
  seconds: number;
  ok: number;
  rate: number;
  non2xx: Record<string, number>;
  errors: number;
  timeouts: number;
  lat: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  cpu: Awaited<ReturnType<CpuMeter['read']>>;
  /** Server and Postgres CPU per accepted order counting the background work until ours' outbox drained (set by runPhase). */
  perOrderWithDrain?: { server: number; pg: number };
}

function percentiles(samples: number[]) {
  const s = Float64Array.from(samples).sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: s.length ? s[s.length - 1] : NaN, mean };
}

async function cannon(server: Server, meter: CpuMeter, next: ReturnType<typeof makeRequest>, name: string, seconds: number, overallRate?: number): Promise<Phase> {
  const lat: number[] = [];
  const first = next();
  await meter.begin();
  const instance = autocannon({
    url: server.base,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    overallRate,
    // autocannon's coordinated-omission correction uses an expected interval of ceil(1/rate per
    // connection) = 1 ms, i.e. it would inject synthetic samples; record real responses instead.
    ignoreCoordinatedOmission: overallRate !== undefined,
    requests: [
      {
        method: 'POST',
        path: first.path,
        headers: first.headers,
        body: first.body,
        setupRequest: (req) => {
          const r = next();
          return { ...req, path: r.path, headers: r.headers, body: r.body };
        },
      },
    ],
  });
  const trace: string[] = [];
  instance.on('response', (_c, status, _b, ms) => {
    if (status >= 200 && status < 300) lat.push(ms);
    if (process.env.BENCH_TRACE) trace.push(`${(Date.now() - ms).toFixed(1)} ${ms.toFixed(2)}`);
  });
  const result = await new Promise<AutocannonResult>((resolve, reject) => instance.then(resolve, reject));
  const cpu = await meter.read();
  if (process.env.BENCH_TRACE) writeFileSync(`${process.env.BENCH_TRACE}-${server.name}-${name.replace('/', '')}-${Date.now()}.txt`, trace.join('\n'));
  const non2xx: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) if (!code.startsWith('2')) non2xx[code] = count;
  return {
    name,
    seconds: result.duration,
    ok: result['2xx'],
    rate: result['2xx'] / result.duration,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    lat: percentiles(lat),
    cpu,
  };
}

/**
 * Open loop at an even pace: request k is due at t0 + k/rate whatever happened before, and its
 * latency counts from that due time (queueing for a free connection included), so a stall shows
 * up in the numbers instead of slowing the generator down.
 */
async function paced(server: Server, meter: CpuMeter, next: ReturnType<typeof makeRequest>, seconds: number, rate: number): Promise<Phase> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const total = Math.round(seconds * rate);
  const interval = 1000 / rate;
  const lat: number[] = [];
  const non2xx: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  let done = 0;
  await meter.begin();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++done === total) resolve();
    };
    const fire = (due: number) => {
      const r = next();
      const req = http.request(
        { agent, host: '127.0.0.1', port: server.port, method: 'POST', path: r.path, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) lat.push(performance.now() - due);
            else non2xx[code] = (non2xx[code] ?? 0) + 1;
            finish();
          });
        },
      );
      req.setTimeout(10_000, () => {
        timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(r.body);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
      while (sent < due) fire(t0 + sent++ * interval);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = await meter.read();
  agent.destroy();
  return {
    name: `paced ${rate}/s`,
    seconds: wall,
    ok: lat.length,
    rate: lat.length / wall,
    non2xx,
    errors: errors - timeouts,
    timeouts,
    lat: percentiles(lat),
    cpu,
  };
}

// ---------------------------------------------------------------- one target

interface TargetResult {
  name: TargetName;
  warmup: Phase;
  /** The median round: by orders/s for peak, by P99 for the fixed rate. */
  peak: Phase;
  rate: Phase;
  peakRounds: Phase[];
  rateRounds: Phase[];
  /** Every phase in the order run (drain lines up with it). */
  phaseNames: string[];
  paced?: Phase;
  ordersInDb: number;
  okTotal: number;
  /** Load runs (phases and their re-warms): each can end with up to CONNECTIONS orders in flight that it does not count. */
  loadRuns: number;
  /** Ours only: after each phase, the outbox backlog and the seconds until every accepted order had reached the exchange. */
  drain: { seconds: number; backlog: number }[];
  statuses?: Record<string, number>;
  setupSeconds: number;
}

/**
 * Ours: waits until every accepted order has been sent to the exchange and acknowledged (outbox
 * empty, none still RECEIVED / OPEN PENDING). Answers the backlog found when the phase ended and
 * how long it took to clear with no new load: the rate of the dispatch path by itself.
 */
async function waitForDrain(monitor: Client, name: TargetName): Promise<{ seconds: number; backlog: number }> {
  if (name !== 'ours') {
    await sleep(2000);
    return { seconds: 0, backlog: 0 };
  }
  const t0 = performance.now();
  let backlog = -1;
  for (;;) {
    const { rows } = await monitor.query(
      `SELECT (SELECT count(*) FROM outbox WHERE dispatched_at IS NULL)::int AS outbox,
              (SELECT count(*) FROM orders WHERE status IN ('PUT ORDER REQ RECEIVED', 'OPEN PENDING'))::int AS pending`,
    );
    if (backlog < 0) backlog = Math.max(rows[0].outbox, rows[0].pending);
    if (rows[0].outbox === 0 && rows[0].pending === 0) break;
    if (performance.now() - t0 > DRAIN_TIMEOUT_S * 1000) {
      console.log(`  (still ${rows[0].outbox} outbox rows / ${rows[0].pending} orders not open after ${DRAIN_TIMEOUT_S} s; going on)`);
      break;
    }
    await sleep(100);
  }
  const seconds = (performance.now() - t0) / 1000;
  await sleep(2000);
  return { seconds, backlog };
}

interface Target {
  name: TargetName;
  server: Server;
  next: ReturnType<typeof makeRequest>;
  meter: CpuMeter;
  setupSeconds: number;
  phases: Phase[];
  /** Orders answered 200 in the unmeasured re-warm load (they are in the orders table too). */
  rewarmOk: number;
  drain: { seconds: number; backlog: number }[];
}

async function startTarget(name: TargetName, monitor: Client): Promise<Target> {
  console.log(`\n== starting ${LABEL[name]}`);
  const t0 = performance.now();
  let server: Server;
  let tokens: string[];
  if (name === 'ours') {
    const extra = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const env = {
      ...APP_ENV,
      MSTOCK_DATA_DIR: path.join(SCRATCH, 'data'),
      DATABASE_URL: `${DATABASE_URL}?application_name=bench-ours`,
      REDIS_URL,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
      JWT_SECRET: randomBytes(48).toString('base64'),
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    server = await startServer(name, [...appNodeFlags(), ...extra, 'dist/src/main.js'], env, appDir);
    console.log(`  app up on ${server.base}; creating ${USERS} users through the API (signup, TOTP, login, 2fa, pay-in)...`);
    tokens = await pool(USERS, 4, (i) => createUser(server.base, i));
    ourTokens = tokens;
  } else {
    server = await startServer(name, ['bench/orders/floor-server.js', variantOf(name)], { DATABASE_URL, POOL_SIZE: String(POOL_SIZE) });
    const r = await api(server.base, 'POST', '/setup', { users: USERS, available: 1_000_000_000 });
    if (r.status !== 200) throw new Error(`floor setup ${r.status}`);
    // Same header sizes as ours: the floors get the real tokens when ours ran first.
    tokens = ourTokens.length ? ourTokens : Array.from({ length: USERS }, () => randomBytes(200).toString('base64url'));
  }
  const setupSeconds = (performance.now() - t0) / 1000;
  console.log(`  ready in ${setupSeconds.toFixed(1)} s`);
  plans ??= name === 'ours' ? await pricePlans(server.base) : FALLBACK_PLANS;
  // ours: the app names its pool 'mstock' unless the URL's application_name wins; either way not a floor's.
  const appNames = name === 'ours' ? ['bench-ours', 'mstock'] : [`bench-floor-${variantOf(name)}`];
  return { name, server, next: makeRequest(tokens, plans), meter: new CpuMeter(server.child.pid!, monitor, appNames), setupSeconds, phases: [], rewarmOk: 0, drain: [] };
}

const variantOf = (name: TargetName) => (name === 'floor-tx' ? 'tx' : 'cte');

type PhaseKind = 'warm-up' | 'peak' | 'rate' | 'paced';

/** Unmeasured load at the phase's rate just before it: a server idle while the others ran re-warms its JIT, and every target re-plans what the ANALYZE before it invalidated, here rather than in the phase. */
const REWARM_S = 2;

async function runPhase(t: Target, kind: PhaseKind, monitor: Client): Promise<void> {
  // The WAL the previous phases wrote (any target's) is flushed now, not by a checkpoint that
  // happens to fall inside this phase: unchecked, the first target of a round paid for the others'
  // writes (paced P99 ~55 ms alone, 300-400 ms when it ran right after the floors' 500/s phases).
  // Likewise autovacuum: the tables the previous phases filled are vacuumed and analyzed now.
  // Both come before the re-warm, which pays what they leave behind: ANALYZE invalidates every
  // cached plan on the tables it analyzed (each connection re-plans its statements on next use) and
  // a checkpoint makes the next write of each page log the whole page. Right before the phase, ours'
  // re-plans landed in its first second (the slow orders of several 500/s phases, up to 200 ms).
  await monitor.query('VACUUM (ANALYZE)');
  await monitor.query('CHECKPOINT');
  if (kind !== 'warm-up') {
    t.rewarmOk += (await cannon(t.server, t.meter, t.next, 're-warm', REWARM_S, kind === 'peak' ? undefined : RATE)).ok;
    t.meter.stop();
    await waitForDrain(monitor, t.name);
  }
  let p: Phase;
  if (kind === 'warm-up') p = await cannon(t.server, t.meter, t.next, 'warm-up', WARMUP_S);
  else if (kind === 'peak') p = await cannon(t.server, t.meter, t.next, 'peak', PEAK_S);
  else if (kind === 'rate') p = await cannon(t.server, t.meter, t.next, `${RATE}/s`, RATE_S, RATE);
  else p = await paced(t.server, t.meter, t.next, PACED_S, RATE);
  t.phases.push(p);
  const drained = await waitForDrain(monitor, t.name);
  const total = await t.meter.read();
  t.meter.stop();
  t.drain.push(drained);
  p.perOrderWithDrain = { server: (total.serverSeconds / p.ok) * 1e6, pg: (total.pgSeconds / p.ok) * 1e6 };
  console.log(
    `  ${kind.padEnd(7)} ${t.name.padEnd(9)} ${fmt(p.rate).padStart(6)} orders/s  p50 ${ms(p.lat.p50)}  p99 ${ms(p.lat.p99)}  p99.9 ${ms(p.lat.p999)}  max ${ms(p.lat.max)}  errors ${errs(p)}` +
      (t.name === 'ours' ? `  (outbox: ${fmt(drained.backlog)} not yet sent at the end, drained in ${drained.seconds.toFixed(1)} s)` : ''),
  );
}

async function finishTarget(t: Target, monitor: Client): Promise<TargetResult> {
  const ours = t.name === 'ours';
  const table = ours ? 'orders' : `floor_${variantOf(t.name)}.orders`;
  const ordersInDb = Number((await monitor.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  const okTotal = t.phases.reduce((a, p) => a + p.ok, t.rewarmOk);
  let statuses: Record<string, number> | undefined;
  if (ours) {
    const { rows } = await monitor.query('SELECT status, count(*)::int AS n FROM orders GROUP BY status');
    statuses = Object.fromEntries(rows.map((r: { status: string; n: number }) => [r.status, r.n]));
  }
  const find = (name: string) => t.phases.find((p) => p.name === name)!;
  const rounds = (name: string) => t.phases.filter((p) => p.name === name);
  const median = (phases: Phase[], by: (p: Phase) => number) => [...phases].sort((a, b) => by(a) - by(b))[Math.floor((phases.length - 1) / 2)];
  return {
    name: t.name,
    warmup: find('warm-up'),
    peak: median(rounds('peak'), (p) => p.rate),
    rate: median(rounds(`${RATE}/s`), (p) => p.lat.p99),
    peakRounds: rounds('peak'),
    rateRounds: rounds(`${RATE}/s`),
    phaseNames: t.phases.map((p) => p.name),
    paced: t.phases.find((p) => p.name.startsWith('paced')),
    ordersInDb,
    okTotal,
    loadRuns: 2 * t.phases.length - 1,
    drain: t.drain,
    statuses,
    setupSeconds: t.setupSeconds,
  };
}

let ourTokens: string[] = [];
let plans: PricePlan[] | undefined;
/** Used only when the floors run without ours (BENCH_TARGETS): the seed's prev closes, 2% under. */
const FALLBACK_PLANS: PricePlan[] = [
  { symbol: 'INFY', base: 109850, tick: 10 },
  { symbol: 'TCS', base: 225590, tick: 10 },
  { symbol: 'RELIANCE', base: 128960, tick: 10 },
  { symbol: 'HDFCBANK', base: 71240, tick: 5 },
];

// ---------------------------------------------------------------- report

const fmt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : Math.round(x)} ms` : '–');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const errs = (p: Phase) => {
  const n = Object.values(p.non2xx).reduce((a, b) => a + b, 0) + p.errors + p.timeouts;
  if (n === 0) return '0';
  const parts = Object.entries(p.non2xx).map(([c, k]) => `${k}×${c}`);
  if (p.errors) parts.push(`${p.errors} conn errors`);
  if (p.timeouts) parts.push(`${p.timeouts} timeouts`);
  return parts.join(', ');
};

function report(results: TargetResult[], started: Date, pgVersion: string, appLoad: string): string {
  const by = (n: TargetName) => results.find((r) => r.name === n);
  const ours = by('ours');
  const tx = by('floor-tx');
  const cte = by('floor-cte');
  const cpus = os.cpus();
  const lines: string[] = [];
  lines.push('# Order-accept benchmark: ours vs the bare floor', '');
  lines.push(
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} logical CPUs), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `${os.platform()} ${os.release()}; ${pgVersion}; Redis at ${REDIS_URL}. App: ${appVersion || 'not run'}. Run ${started.toISOString().replace(/\..*/, 'Z')}, ` +
      `load average before the run ${appLoad}. Load generator, servers, Postgres and Redis share the same cores (the machine is shared with other work).`,
    '',
  );
  lines.push(
    `| target | peak orders/s | errors at peak | achieved at ${RATE}/s | P50 at ${RATE}/s | P90 | P99 | P99.9 | max | errors at ${RATE}/s |` +
      (PACED_S > 0 ? ` paced ${RATE}/s P50 | paced P99 | paced P99.9 |` : ''),
  );
  lines.push(`|---|---:|---|---:|---:|---:|---:|---:|---:|---|` + (PACED_S > 0 ? '---:|---:|---:|' : ''));
  for (const r of results) {
    lines.push(
      `| ${LABEL[r.name]} | ${fmt(r.peak.rate)} | ${errs(r.peak)} | ${fmt(r.rate.rate)}/s | ${ms(r.rate.lat.p50)} | ${ms(r.rate.lat.p90)} | ${ms(r.rate.lat.p99)} | ${ms(r.rate.lat.p999)} | ${ms(r.rate.lat.max)} | ${errs(r.rate)} |` +
        (r.paced ? ` ${ms(r.paced.lat.p50)} | ${ms(r.paced.lat.p99)} | ${ms(r.paced.lat.p999)} |` : PACED_S > 0 ? ' – | – | – |' : ''),
    );
  }
  lines.push('');
  if (ROUNDS > 1) {
    lines.push(
      `Each target's median of ${ROUNDS} rounds (peak by orders/s, ${RATE}/s by P99; the rounds interleaved across the targets). All rounds:`,
      '',
      `| target | peak orders/s, each round | P99 at ${RATE}/s, each round |`,
      '|---|---|---|',
      ...results.map((r) => `| ${r.name} | ${r.peakRounds.map((p) => fmt(p.rate)).join(' / ')} | ${r.rateRounds.map((p) => ms(p.lat.p99)).join(' / ')} |`),
      '',
    );
  }
  if (ours && (tx || cte)) {
    lines.push('| ratio | vs floor (tx) | vs floor (CTE) |', '|---|---:|---:|');
    lines.push(`| peak orders/s, ours / floor (target ≥ 1.00× the floor) | ${tx ? ratio(ours.peak.rate, tx.peak.rate) : '–'} | ${cte ? ratio(ours.peak.rate, cte.peak.rate) : '–'} |`);
    lines.push(`| P99 at ${RATE}/s, ours / floor (target ≤ 1.50×) | ${tx ? ratio(ours.rate.lat.p99, tx.rate.lat.p99) : '–'} | ${cte ? ratio(ours.rate.lat.p99, cte.rate.lat.p99) : '–'} |`);
    if (ours.paced) {
      lines.push(
        `| P99 at ${RATE}/s paced, ours / floor | ${tx?.paced ? ratio(ours.paced.lat.p99, tx.paced.lat.p99) : '–'} | ${cte?.paced ? ratio(ours.paced.lat.p99, cte.paced.lat.p99) : '–'} |`,
      );
    }
    lines.push('');
    const errOk = errs(ours.peak) === '0' && errs(ours.rate) === '0';
    for (const floor of [cte, tx].filter((f): f is TargetResult => !!f)) {
      const peakOk = ours.peak.rate >= floor.peak.rate;
      const p99Ok = ours.rate.lat.p99 <= 1.5 * floor.rate.lat.p99;
      const capOk = ours.rate.lat.p99 <= 100;
      lines.push(
        `**Verdict against DESIGN §8, floor = ${floor.name === 'floor-cte' ? 'one CTE statement' : 'BEGIN…COMMIT transaction'}:** ` +
          `peak ≥ floor **${peakOk ? 'met' : 'missed'}** (${fmt(ours.peak.rate)} vs ${fmt(floor.peak.rate)}/s); ` +
          `P99 at ${RATE}/s ≤ 1.5× floor **${p99Ok ? 'met' : 'missed'}** (${ms(ours.rate.lat.p99)} vs ${ms(floor.rate.lat.p99)}); ` +
          `P99 ≤ 100 ms **${capOk ? 'met' : 'missed'}**; sustains ${RATE}/s **${ours.rate.rate >= 0.98 * RATE ? 'met' : 'missed'}** (${fmt(ours.rate.rate)}/s); ` +
          `no errors **${errOk ? 'met' : 'missed'}**.`,
        '',
      );
    }
  }
  lines.push(
    'CPU during the phases (% of one core; the machine has ' + cpus.length + ' cores) and CPU per accepted order — during the phase, and ' +
      "including the background work until ours' outbox had drained (every accepted order sent to the exchange and acknowledged):",
    '',
  );
  lines.push(
    '| target | phase | orders/s | server CPU | its Postgres backends | load generator | whole machine busy | server µs/order | Postgres µs/order | server µs/order incl. drain | Postgres µs/order incl. drain |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    for (const p of [r.peak, r.rate, r.paced].filter((x): x is Phase => !!x)) {
      lines.push(
        `| ${r.name} | ${p.name} | ${fmt(p.rate)} | ${p.cpu.server.toFixed(0)}% | ${p.cpu.pg.toFixed(0)}% | ${p.cpu.gen.toFixed(0)}% | ${p.cpu.machine.toFixed(0)}% | ` +
          `${fmt((p.cpu.serverSeconds / p.ok) * 1e6)} | ${fmt((p.cpu.pgSeconds / p.ok) * 1e6)} | ${fmt(p.perOrderWithDrain?.server ?? NaN)} | ${fmt(p.perOrderWithDrain?.pg ?? NaN)} |`,
      );
    }
  }
  lines.push('');
  lines.push('Checks:', '');
  for (const r of results) {
    lines.push(
      `- ${r.name}: ${fmt(r.okTotal)} orders answered 200 over all phases (re-warm load included), ${fmt(r.ordersInDb)} rows in its orders table` +
        (r.ordersInDb >= r.okTotal && r.ordersInDb <= r.okTotal + r.loadRuns * CONNECTIONS
          ? ` (consistent: the load stops counting with up to ${CONNECTIONS} orders in flight in each of its ${r.loadRuns} runs)`
          : ' (**inconsistent**)') +
        (r.statuses ? `; statuses at the end ${JSON.stringify(r.statuses)}` : '') +
        (r.name === 'ours'
          ? `; at the end of ${r.phaseNames.join(' / ')}, orders accepted but not yet at the exchange: ` +
            `${r.drain.map((d) => fmt(d.backlog)).join(' / ')}, cleared in ${r.drain.map((d) => d.seconds.toFixed(1)).join(' / ')} s ` +
            `(with no new orders the dispatch path moves ${r.drain.map((d) => (d.seconds > 0.5 ? fmt(d.backlog / d.seconds) : '–')).join(' / ')} orders/s)`
          : '') +
        `; setup ${r.setupSeconds.toFixed(0)} s.`,
    );
  }
  lines.push('');
  lines.push('Settings and method:', '');
  lines.push(
    `- ${USERS} users, each request from the next user in turn with its own Bearer token and a unique \`Idempotency-Key\`; ` +
      `body a LIMIT BUY CNC DAY order, quantity 1, for one of ${plans?.map((p) => p.symbol).join(', ')} at a tick multiple 2–2.2% under prev close ` +
      '(inside the 20% circuit band). The floors receive the same requests (they read the user from an `x-bench-user` header and ignore the token).',
    `- Ours: \`node ${appNodeFlags().join(' ')} dist/src/main.js\` (as \`npm start\`) as a child process, fresh database \`${DB}\` (dropped at the end), ${Object.entries(APP_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}. Rate limits are raised so they never refuse a bench request, but the guard still runs and counts every request in Redis ` +
      'as in production. SIM_LIQUIDITY=false: no synthetic counterparties, so every buy rests as an OPEN order at the in-process simulator ' +
      '(the outbox dispatcher still sends each order and applies its acknowledgement: that background work is part of what ours pays). ' +
      `Users are created through the API (signup → TOTP confirm with the previous step's code → login → 2fa with the current step's → pay-in ₹1 crore).`,
    `- Floors: \`bench/orders/floor-server.js\` (Fastify ${fastifyVersion()} + pg, pool of ${POOL_SIZE} like the app), own tables in schemas \`floor_tx\` / \`floor_cte\` of the same database ` +
      '(accounts with CHECK (available >= 0), orders, idempotency_keys), conditional `UPDATE … WHERE available >= $margin RETURNING`, order INSERT, idempotency INSERT; ' +
      'unnamed (not prepared) statements, as the app uses.',
    `- All three servers run at once (idle when not measured) and the phases are interleaved — warm-up of each, then peak of each, ` +
      `then the fixed rate of each, ${ROUNDS > 1 ? `peak and fixed rate ${ROUNDS} times over, ` : ''}then the paced rate of each — so the measurements compared in one column are taken within a minute or two of each other.`,
    `- Load: autocannon ${autocannonVersion()} in this process, ${CONNECTIONS} connections, no pipelining. Warm-up ${WARMUP_S} s flat out, then ` +
      `peak ${PEAK_S} s flat out (closed loop: each connection sends its next order when the previous answer arrives); ` +
      `then ${RATE}/s for ${RATE_S} s with autocannon's \`overallRate\` — note autocannon meters that per connection per second ` +
      `(${RATE / CONNECTIONS} each), so each second's orders leave in a burst at the top of the second: this is the "arrival bursts" P99 of DESIGN §8.` +
      (PACED_S > 0
        ? ` Then ${RATE}/s for ${PACED_S} s evenly paced, open loop (node:http, ${CONNECTIONS} keep-alive sockets), latency from each order's due time.`
        : ''),
    '- Latencies are of 200 answers only, measured client-side (exact, not autocannon\'s 1 ms histogram); errors are non-200 answers, connection errors and 10 s timeouts. ' +
      'Between phases the bench waits until ours has dispatched every accepted order (outbox empty, none still RECEIVED/OPEN PENDING), so a phase does not pay for the previous one\'s backlog; and each phase is preceded by VACUUM (ANALYZE) and a CHECKPOINT, so it does not pay for the autovacuum or the WAL of the phases before it (any target\'s), then by ' + REWARM_S + ' s of unmeasured load at its rate, where a server that sat idle while the others ran re-warms and re-plans what ANALYZE invalidated.',
    '- CPU is from /proc: the server process, the Postgres backends connected to the bench database, this process (load generator), and the whole machine.',
    '',
  );
  return lines.join('\n');
}

function fastifyVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(require.resolve('fastify/package.json', { paths: [ROOT] })) as { version: string }).version;
  } catch {
    return '?';
  }
}
function autocannonVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('autocannon/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------- main

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

/**
 * Runs a build; a failed one is tolerated when tsc still emitted a fresh dist/src/main.js (type
 * errors only, e.g. while others are mid-change): the note says so in the results.
 */
function build(cmd: string[], cwd: string): string {
  const entry = path.join(cwd, 'dist', 'src', 'main.js');
  const t0 = Date.now();
  try {
    execFileSync(process.execPath, cmd, { cwd, stdio: 'inherit' });
    return '';
  } catch {
    let fresh = false;
    try {
      fresh = statSync(entry).mtimeMs >= t0 - 1000;
    } catch {
      /* no entry at all */
    }
    if (!fresh) throw new Error(`the build failed and emitted no ${path.relative(ROOT, entry) || entry}`);
    console.warn('\n*** the build reported TypeScript errors; tsc emitted JavaScript anyway and the bench runs that ***\n');
    return '; **the build reported TypeScript errors** (tsc emitted JavaScript anyway, and that is what ran)';
  }
}

/** The app build to run: the working tree's dist (built if stale) or a private build of HEAD. */
function prepareApp(): void {
  const head = git('rev-parse', '--short', 'HEAD');
  if (process.env.BENCH_APP_DIR) {
    appDir = path.resolve(process.env.BENCH_APP_DIR);
    statSync(path.join(appDir, 'dist', 'src', 'main.js'));
    appVersion = `prebuilt ${appDir} (BENCH_APP_DIR)`;
    return;
  }
  if (APP_MODE === 'head') {
    appDir = path.join(SCRATCH, 'app');
    mkdirSync(appDir, { recursive: true });
    console.log(`building HEAD ${head} in ${appDir} ...`);
    execFileSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C "${appDir}"`], { cwd: ROOT, stdio: 'inherit' });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
    const note = build([path.join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], appDir);
    appVersion = `committed HEAD ${head}, built privately (BENCH_APP=head)${note}`;
    return;
  }
  const note = build(['scripts/ensure-build.js'], ROOT);
  const dirty = git('status', '--porcelain', '--', 'src', 'migrations') !== '';
  appVersion = `working tree at ${head}${dirty ? ' with uncommitted changes in src/ or migrations/' : ''} (BENCH_APP=tree)${note}`;
}

async function main(): Promise<void> {
  const started = new Date();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  if (TARGETS.includes('ours')) prepareApp();
  await adminQuery(`CREATE DATABASE ${DB}`);
  dbCreated = true;
  let pgVersion = 'PostgreSQL';
  {
    const c = new Client({ ...PG, database: DB });
    await c.connect();
    const v = (await c.query('SHOW server_version')).rows[0].server_version as string;
    const sc = (await c.query('SHOW synchronous_commit')).rows[0].synchronous_commit as string;
    pgVersion = `PostgreSQL ${v} (synchronous_commit=${sc})`;
    await c.end();
  }
  console.log(`database ${DB}, Redis prefix ${REDIS_PREFIX}, targets ${TARGETS.join(', ')}`);
  const monitor = new Client({ connectionString: DATABASE_URL, application_name: 'bench-monitor' });
  monitor.on('error', () => undefined); // e.g. terminated by the DROP DATABASE of an interrupted run
  monitorClient = monitor;
  await monitor.connect();
  const results: TargetResult[] = [];
  const targets: Target[] = [];
  try {
    // ours first: its users' tokens and the instrument prices are reused for the floors' requests.
    for (const name of TARGETS) targets.push(await startTarget(name, monitor));
    await monitor.query('CHECKPOINT');
    // Interleaved: each kind of phase runs for every target back to back, so the three
    // measurements of one kind see (nearly) the same background load on this shared machine.
    const kinds: PhaseKind[] = [
      'warm-up',
      ...Array.from({ length: ROUNDS }, () => ['peak', 'rate'] as const).flat(),
      ...(PACED_S > 0 ? (['paced'] as const) : []),
    ];
    for (const kind of kinds) {
      console.log(`\n-- ${kind === 'rate' ? `${RATE}/s (autocannon overallRate), ${RATE_S} s` : kind === 'paced' ? `${RATE}/s paced open loop, ${PACED_S} s` : kind === 'peak' ? `peak, ${PEAK_S} s flat out` : `warm-up, ${WARMUP_S} s flat out`}, ${CONNECTIONS} connections`);
      for (const t of targets) await runPhase(t, kind, monitor);
    }
    for (const t of targets) results.push(await finishTarget(t, monitor));
  } finally {
    await monitor.end().catch(() => undefined);
    await Promise.all(targets.map((t) => stopChild(t.server.child)));
  }
  const md = report(results, started, pgVersion, load);
  console.log('\n' + md);
  const out = process.env.BENCH_OUT ?? path.join(ROOT, 'bench', 'results', 'orders.md');
  if (out !== '-') {
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, md);
    console.log(`written ${path.relative(process.cwd(), out)}`);
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 1));
  for (const t of TARGETS) rmSync(path.join(os.tmpdir(), `bench-orders-${process.pid}-${t}.log`), { force: true });
}

main()
  .catch((err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    console.error(`server logs kept: ${path.join(os.tmpdir(), `bench-orders-${process.pid}-*.log`)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
