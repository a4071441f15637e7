/**
 * npm run bench:fanout — tick fan-out, Mstock's realtime gateway vs the seed's naive ws design,
 * same synthetic market (5,000 quote updates/s in 100 ms batches over the NSE universe), same
 * clients (20 random instruments each), load generators in their own processes, loopback only,
 * bounded in time. Writes bench/results/fanout.md.
 *
 * Options: --ours=1000,2000,... --naive=1000,1500,... --window=10 (s) --workers=2 --minutes=25 --kite=4000
 * The designs run alternately, step by step, each with its own server process (the idle one's market paused).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { LatencyHistogram } from './histogram';
import { cpuTimes, Proc, sleep, spawnTs } from './procs';
import type { UniverseItem } from './quote-generator';
import { environmentLine, markdown, StepResult } from './report';
import type { ServerSample } from './server-stats';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const list = (s: string) => s.split(',').filter(Boolean).map(Number);

const OURS = list(arg('ours', '1000,2000,3000,4000,6000,8000,10000'));
const NAIVE = list(arg('naive', '1000,1500,2000,3000'));
const WINDOW_MS = Number(arg('window', '10')) * 1000;
const WORKERS = Number(arg('workers', '2'));
const DEADLINE = Date.now() + Number(arg('minutes', '25')) * 60_000;
const WARMUP_MS = 3000;
const PER_CLIENT = 20;
const PROBES = 20;
const KITE_IDLE = Number(arg('kite', '4000'));
/** A design whose P99 passes this is saturated: its later (larger) steps are skipped. */
const SATURATED_P99_MS = 1000;
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Real Postgres + Redis when this machine has them (a replica as deployed, with the socket.io Redis adapter); else embedded mode. */
async function backingServices(dataDir: string): Promise<{ env: NodeJS.ProcessEnv; mode: string; cleanup: () => Promise<void> }> {
  const name = `mstock_bench_fanout_${process.pid}`;
  try {
    const pg = new Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
    await pg.connect();
    await pg.query(`CREATE DATABASE ${name}`);
    await pg.end();
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.connect();
    await redis.ping();
    redis.disconnect();
    const db = new URL(PG_ADMIN);
    db.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: db.toString(), REDIS_URL, REDIS_KEY_PREFIX: `mstock-bench:${process.pid}:` },
      mode: 'Postgres + Redis (socket.io Redis adapter on)',
      cleanup: async () => {
        const admin = new Client({ connectionString: PG_ADMIN });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  } catch {
    return { env: { MSTOCK_DATA_DIR: dataDir }, mode: 'embedded (PGlite, in-process adapters)', cleanup: async () => undefined };
  }
}

const split = (n: number, parts: number) => Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));

async function step(design: 'socketio' | 'naive', clients: number, server: Proc, url: string, workers: Proc[], universe: number[]): Promise<StepResult> {
  const tokens = design === 'socketio' ? (await server.request<{ tokens: string[] }>({ cmd: 'tokens', count: Math.min(clients, 200) }, 'tokens')).tokens : ['-'];
  // Idle memory is the slope between two halves of the connections: it leaves out what the first
  // connections warm up once (JIT code, pools, heap growth) and what GC returns meanwhile.
  // The market is paused while idle memory is sampled: its garbage would swamp a few KB per connection.
  server.send({ cmd: 'pause' });
  await sleep(500);
  const base = await server.request<ServerSample>({ cmd: 'stats', gc: true }, 'stats');
  const halves = split(clients, 2);
  const connected: { connected: number; failed: number; ms: number }[] = [];
  const samples: ServerSample[] = [];
  let offset = 0;
  for (const [h, half] of halves.entries()) {
    const shares = split(half, workers.length);
    connected.push(
      ...(await Promise.all(
        workers.map((w, i) =>
          w.request<{ connected: number; failed: number; ms: number }>(
            { cmd: 'connect', design, url, tokens, count: shares[i], firstIndex: offset + shares.slice(0, i).reduce((a, b) => a + b, 0), probes: design === 'socketio' && i === 0 && h === 0 ? PROBES : 0 },
            'connected',
            600_000,
          ),
        ),
      )),
    );
    offset += half;
    await sleep(1000);
    samples.push(await server.request<ServerSample>({ cmd: 'stats', gc: true }, 'stats'));
  }
  const [idleHalf, idle] = samples;
  server.send({ cmd: 'resume' });
  await Promise.all(workers.map((w, i) => w.request({ cmd: 'subscribe', universe, perClient: PER_CLIENT, seed: 1234, workerIndex: i }, 'subscribed', 600_000)));
  await sleep(WARMUP_MS);

  const sys0 = cpuTimes();
  const s0 = await server.request<ServerSample & { emitted: number }>({ cmd: 'stats' }, 'stats', 120_000);
  server.send({ cmd: 'reset-loop' });
  await Promise.all(workers.map((w) => w.request({ cmd: 'measure-start' }, 'measuring')));
  const started = Date.now();
  await sleep(WINDOW_MS);
  const measured = await Promise.all(
    workers.map((w) => w.request<{ hist: [number, number][]; probeHist: [number, number][]; deliveries: number; frames: number; cpuMs: number }>({ cmd: 'measure-stop' }, 'measured')),
  );
  const elapsed = Date.now() - started;
  const s1 = await server.request<ServerSample & { emitted: number }>({ cmd: 'stats' }, 'stats', 120_000);
  const sys1 = cpuTimes();
  const loadAverage = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  await Promise.all(workers.map((w) => w.request({ cmd: 'disconnect' }, 'disconnected', 120_000)));
  await sleep(2000);

  const hist = LatencyHistogram.merge(measured.map((m) => m.hist));
  const probe = LatencyHistogram.merge(measured.map((m) => m.probeHist));
  const seconds = elapsed / 1000;
  const ok = connected.reduce((a, c) => a + c.connected, 0);
  return {
    design,
    clients,
    connected: ok,
    failed: connected.reduce((a, c) => a + c.failed, 0),
    connectMs: connected.reduce((a, c) => a + c.ms, 0) / workers.length,
    offeredPerSec: (s1.emitted - s0.emitted) / seconds,
    deliveriesPerSec: measured.reduce((a, m) => a + m.deliveries, 0) / seconds,
    framesPerSec: measured.reduce((a, m) => a + m.frames, 0) / seconds,
    p50: hist.percentile(50),
    p99: hist.percentile(99),
    p999: hist.percentile(99.9),
    max: hist.percentile(100),
    probe: probe.total ? { p50: probe.percentile(50), p99: probe.percentile(99), n: probe.total } : null,
    serverCpuPct: ((s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000 / elapsed) * 100,
    systemCpuPct: ((sys1.busy - sys0.busy) / (sys1.total - sys0.total)) * 100,
    workersCpuPct: (measured.reduce((a, m) => a + m.cpuMs, 0) / elapsed) * 100,
    loopP99Ms: s1.loopP99Ms,
    idleRssPerConnKB: (idle.rss - idleHalf.rss) / halves[1] / 1024,
    idleHeapPerConnKB: (idle.heapUsed - idleHalf.heapUsed) / halves[1] / 1024,
    activeRssPerConnKB: (s1.rss - base.rss) / ok / 1024,
    rssMB: s1.rss / 1024 / 1024,
    loadAverage,
  };
}

/** Idle memory of Kite binary ticker connections (raw ws on the same server), by the same two-halves slope. */
async function kiteIdle(clients: number, server: Proc, url: string, workers: Proc[]): Promise<{ clients: number; rssKB: number; heapKB: number }> {
  const { tokens } = await server.request<{ tokens: string[] }>({ cmd: 'kite-tokens', count: Math.min(clients, 200) }, 'tokens');
  server.send({ cmd: 'pause' });
  const samples: ServerSample[] = [];
  const halves = split(clients, 2);
  for (const half of halves) {
    const shares = split(half, workers.length);
    await Promise.all(workers.map((w, i) => w.request({ cmd: 'connect', design: 'kite', url, tokens, count: shares[i], firstIndex: 0, probes: 0 }, 'connected', 600_000)));
    await sleep(1000);
    samples.push(await server.request<ServerSample>({ cmd: 'stats', gc: true }, 'stats'));
  }
  await Promise.all(workers.map((w) => w.request({ cmd: 'disconnect' }, 'disconnected', 120_000)));
  await sleep(1000);
  return { clients, rssKB: (samples[1].rss - samples[0].rss) / halves[1] / 1024, heapKB: (samples[1].heapUsed - samples[0].heapUsed) / halves[1] / 1024 };
}

function show(r: StepResult): void {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
  process.stdout.write(
    `${r.design.padEnd(8)} ${String(r.clients).padStart(6)} clients: P50 ${f(r.p50)} ms, P99 ${f(r.p99)} ms, P99.9 ${f(r.p999)} ms, ` +
      `${f(r.deliveriesPerSec)} deliveries/s, ${f(r.framesPerSec)} frames/s, server CPU ${f(r.serverCpuPct)}%, system ${f(r.systemCpuPct)}%, ` +
      `workers ${f(r.workersCpuPct)}%, load ${r.loadAverage.toFixed(1)}, idle ${r.idleRssPerConnKB.toFixed(1)} KB RSS ${r.idleHeapPerConnKB.toFixed(1)} KB heap/conn` +
      `${r.probe ? `, SDK probes P99 ${f(r.probe.p99)} ms` : ''}\n`,
  );
}

/** Alternates the two designs step by step, so background load on the machine falls on both alike. */
function plan(): ['socketio' | 'naive', number][] {
  const steps: ['socketio' | 'naive', number][] = [];
  for (let i = 0; i < Math.max(OURS.length, NAIVE.length); i++) {
    if (i < NAIVE.length) steps.push(['naive', NAIVE[i]]);
    if (i < OURS.length) steps.push(['socketio', OURS[i]]);
  }
  return steps;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mstock-bench-'));
  const backing = await backingServices(dataDir);
  const results: StepResult[] = [];
  const workers = Array.from({ length: WORKERS }, () => spawnTs('load-worker.ts', {}));
  const procs: Proc[] = [...workers];
  try {
    await Promise.all(workers.map((w) => w.wait('ready', 120_000)));
    const appPort = await freePort();
    const app = spawnTs(
      'app-server.ts',
      {
        ...backing.env, NODE_ENV: 'development', PORT: String(appPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MARKET_HOURS: 'always-open',
        SIM_LIQUIDITY: 'false', DEMO_USER: 'false', MSTOCK_DATA_DIR: dataDir,
        JWT_SECRET: 'bench-fanout-secret-0123456789abcdef0123456789', TOTP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
      ['--expose-gc', ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [])],
    );
    procs.push(app);
    const { universe } = await app.wait<{ universe: UniverseItem[] }>('ready', 300_000);
    const tokens = universe.map((u) => u.token);
    const naivePort = await freePort();
    const naive = spawnTs('naive-server.ts', {}, ['--expose-gc']);
    procs.push(naive);
    await naive.request({ cmd: 'start', port: naivePort, universe }, 'ready', 60_000);
    process.stdout.write(`Mstock app up (${backing.mode}); naive ws server up; universe ${universe.length} NSE instruments\n`);

    const servers = { socketio: { proc: app, url: `http://127.0.0.1:${appPort}` }, naive: { proc: naive, url: `http://127.0.0.1:${naivePort}` } };
    const saturated = new Set<string>();
    for (const [design, n] of plan()) {
      if (Date.now() > DEADLINE || saturated.has(design)) continue;
      // Only the design under test runs its market; the other one's generator is paused.
      const other = design === 'socketio' ? servers.naive : servers.socketio;
      other.proc.send({ cmd: 'pause' });
      servers[design].proc.send({ cmd: 'resume' });
      const r = await step(design, n, servers[design].proc, servers[design].url, workers, tokens);
      results.push(r);
      show(r);
      if (!(r.p99 <= SATURATED_P99_MS) || r.failed > n * 0.01) saturated.add(design);
    }
    naive.send({ cmd: 'pause' });
    app.send({ cmd: 'resume' });
    const kite = await kiteIdle(KITE_IDLE, app, servers.socketio.url, workers);
    process.stdout.write(`kite     ${kite.clients} idle connections: ${kite.rssKB.toFixed(1)} KB RSS, ${kite.heapKB.toFixed(1)} KB heap per connection\n`);
    await app.request({ cmd: 'stop' }, 'never', 30_000).catch(() => undefined);
    const report = markdown({ results, kite, universe: universe.length, windowMs: WINDOW_MS, workers: WORKERS, perClient: PER_CLIENT, mode: backing.mode, environment: environmentLine() });
    writeFileSync(join(__dirname, '..', 'results', 'fanout.md'), report);
    process.stdout.write(`\n${report}\n`);
  } finally {
    procs.forEach((p) => p.kill());
    await backing.cleanup().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:fanout failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
