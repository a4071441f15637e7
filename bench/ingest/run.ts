/**
 * Ingest benchmark: 5,000 instruments × 1 trade/s, then a 10× burst, through the real pipeline —
 * FeedServer → TCP → FeedClient → FeedIngest (on the feed thread) → Redis (pub/sub + cache) and Postgres (ticks,
 * candles) — and, in the same run, the naive baseline (per-quote SET/SET/PUBLISH on a channel per
 * symbol, one INSERT per tick). Three processes, as deployed: the exchange (feed server), the
 * pipeline under test (this one), and a bus subscriber standing for another replica.
 *   npm run bench:ingest      (needs the local Postgres and Redis)
 * Env: BENCH_STEADY_S (45), BENCH_BURST_S (5), BENCH_ROUNDS (3), BENCH_INSTRUMENTS (5000), TEST_PG_ADMIN_URL, TEST_REDIS_URL,
 *   BENCH_ONLY=ours, BENCH_FEED (thread: as the app runs with Postgres and Redis; main or inline: the earlier designs),
 *   BENCH_MAIN_BUSY (ms of work every 20 ms on the pipeline process's main thread during the steady phase; 0).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { AppConfig } from '../../src/common/config/app-config';
import { createDataSource } from '../../src/common/database/data-source.factory';
import type { ExchangeMessage } from './exchange-process';
import { benchInstruments } from './market';
import { naive, ours, type Pipeline } from './pipelines';
import { report, stats, type PhaseResult, type RunResult } from './report';
import type { SubscriberMessage } from './subscriber-process';

// 45 s: a steady phase is ~450 feed batches, so its P99 is not just the second-worst batch.
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 45);
const BURST_S = Number(process.env.BENCH_BURST_S ?? 5);
/** Rounds of (ours, naive): a shared machine's noise shows as the spread between rounds. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INSTRUMENTS = Number(process.env.BENCH_INSTRUMENTS ?? 5000);
const WARMUP_S = 3;
const DRAIN_LIMIT_S = 30;
const PG_ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * BENCH_MAIN_BUSY=ms: the pipeline process's main thread also does this many ms of
 * allocation-heavy work every 20 ms, as a leader replica's does while it serves requests and
 * sockets (the app's main thread at ~500 orders/s is ~40% busy). 0: idle, as before.
 */
const MAIN_BUSY_MS = Number(process.env.BENCH_MAIN_BUSY ?? 0);

function busyMainThread(): () => void {
  if (!MAIN_BUSY_MS) return () => undefined;
  const payload = { orders: Array.from({ length: 50 }, (_, i) => ({ id: i, symbol: `SYM${i}`, price: i * 5, qty: i, tags: ['a', 'b'] })) };
  let sink = 0;
  const timer = setInterval(() => {
    const until = performance.now() + MAIN_BUSY_MS;
    while (performance.now() < until) sink += JSON.parse(JSON.stringify(payload)).orders.length;
  }, 20);
  return () => {
    clearInterval(timer);
    if (sink < 0) console.log(sink);
  };
}

/** batch timestamp → absolute emit time, as the exchange process reports it. */
const emits = new Map<number, number>();

function child<M>(script: string, args: string[], onMessage: (m: M) => void): { proc: ChildProcess; ready: Promise<M> } {
  const proc = fork(path.join(__dirname, script), args, { execArgv: ['-r', 'ts-node/register/transpile-only'] });
  const ready = new Promise<M>((resolve, reject) => {
    proc.on('message', (m: M & { type: string }) => (m.type === 'ready' ? resolve(m) : onMessage(m)));
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return { proc, ready };
}

/** Lags in ms of samples whose emit time is known, weighted by the quotes they stand for. */
function lags(samples: [number, number, number][]): [number, number][] {
  return samples.flatMap(([ts, at, n]) => (emits.has(ts) ? [[at - emits.get(ts)!, n] as [number, number]] : []));
}

async function phase(exchange: ChildProcess, p: Pipeline, delivered: [number, number, number][], rate: number, seconds: number): Promise<PhaseResult> {
  exchange.send({ rate });
  await sleep(WARMUP_S * 1000);
  for (const a of [p.samples.publish, p.samples.persist, delivered, p.persistFromReceipt ?? []]) a.length = 0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - t0;
  loop.disable();
  const [publish, persist, arrivals, fromReceipt] = [[...p.samples.publish], [...p.samples.persist], [...delivered], [...(p.persistFromReceipt ?? [])]];
  await sleep(500); // the last emit reports
  return {
    rate,
    quotes: publish.reduce((n, s) => n + s[2], 0),
    publish: stats(lags(publish)),
    delivered: stats(lags(arrivals)),
    persist: p.persistFromReceipt ? stats(fromReceipt as [number, number][]) : stats(lags(persist)),
    cpuPct: ((used.user + used.system) / 1000 / elapsed) * 100,
    loopP99: loop.percentile(99) / 1e6,
  };
}

/**
 * Until the pipeline has published a batch and committed ticks: under ts-node its threads compile
 * their code first (seconds; ~0.2 s compiled), and that start-up is not the steady state measured.
 */
async function running(exchange: ChildProcess, p: Pipeline): Promise<void> {
  exchange.send({ rate: INSTRUMENTS });
  const t0 = performance.now();
  while (p.samples.publish.length === 0 || (p.persistFromReceipt ?? p.samples.persist).length === 0) {
    if (performance.now() - t0 > 60_000) throw new Error(`${p.name}: nothing published and committed within 60 s`);
    await sleep(100);
  }
}

async function run(make: () => Promise<Pipeline>, exchange: ChildProcess, port: number, prefix: string): Promise<RunResult> {
  const p = await make();
  const delivered: [number, number, number][] = [];
  const sub = child<SubscriberMessage>('subscriber-process.ts', [REDIS_URL, p.mode, prefix], (m) => m.type === 'arrivals' && delivered.push(...m.arrivals));
  await sub.ready;
  console.log(`\n${p.name}`);
  await p.start(port);
  await running(exchange, p);
  const idle = busyMainThread();
  const steady = await phase(exchange, p, delivered, INSTRUMENTS, STEADY_S);
  idle();
  console.log('  steady', JSON.stringify(steady));
  const burst = await phase(exchange, p, delivered, INSTRUMENTS * 10, BURST_S);
  console.log('  burst ', JSON.stringify(burst));
  exchange.send({ rate: 0 });
  const t0 = performance.now();
  while (p.backlog() > 0 && performance.now() - t0 < DRAIN_LIMIT_S * 1000) await sleep(100);
  const result: RunResult = { name: p.name, steady, burst, backlog: p.backlog(), drainS: (performance.now() - t0) / 1000, ticksWritten: await p.ticksWritten(), failures: p.failures() };
  console.log(`  backlog ${result.backlog} after ${result.drainS.toFixed(1)} s, ${result.ticksWritten} ticks written, ${result.failures} failures`);
  sub.proc.kill();
  await p.stop();
  return result;
}

async function main(): Promise<void> {
  const name = `mstock_bench_ingest_${process.pid}`;
  const admin = new Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  const db = u.toString();
  const exchange = child<ExchangeMessage>('exchange-process.ts', [String(INSTRUMENTS)], (m) => {
    if (m.type === 'emits') for (const [ts, at] of m.emits) emits.set(ts, at);
  });
  try {
    const migrate = createDataSource({ config: AppConfig.with({ DATABASE_URL: db }) });
    await migrate.initialize();
    await migrate.runMigrations({ transaction: 'each' });
    await migrate.destroy();
    const instruments = benchInstruments(INSTRUMENTS);
    const { port } = (await exchange.ready) as { port: number };
    const prefix = `mstock-bench:${process.pid}:`;
    const rounds: RunResult[][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      console.log(`\n=== round ${r + 1} of ${ROUNDS}`);
      const round = [await run(() => ours(db, REDIS_URL, prefix, instruments), exchange.proc, port, prefix)];
      if (process.env.BENCH_ONLY !== 'ours') round.push(await run(() => naive(db, REDIS_URL, prefix, instruments), exchange.proc, port, prefix));
      rounds.push(round);
    }
    if (rounds[0].length < 2) return;
    const md = report(rounds, { instruments: INSTRUMENTS, steadyS: STEADY_S, burstS: BURST_S, warmupS: WARMUP_S });
    const out = path.join(__dirname, '..', 'results', 'ingest.md');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, md);
    console.log(`\n${md}\nwritten to ${out}`);
  } finally {
    exchange.proc.kill();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
