/**
 * How the embedded default (PGlite, in-memory Redis ports, simulator with synthetic liquidity)
 * behaves with this tree: time to ready, then for PROBE_S seconds the event-loop delay, process
 * CPU, and the latency of /health/ready and of a public API call. Run from any checkout to compare:
 *   npx ts-node --transpile-only bench/ingest/embedded-probe.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

const PROBE_S = Number(process.env.PROBE_S ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function timed(url: string): Promise<[number, number]> {
  const t0 = performance.now();
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return [performance.now() - t0, res.status];
  } catch {
    return [performance.now() - t0, 0];
  }
}

async function main(): Promise<void> {
  const root = process.cwd();
  const { createApp } = await import(path.join(root, 'src/app.factory'));
  const { AppConfig } = await import(path.join(root, 'src/common/config/app-config'));
  const dir = mkdtempSync(path.join(tmpdir(), 'mstock-probe-'));
  const t0 = performance.now();
  const app = await createApp(AppConfig.with({ LOG_LEVEL: 'error', MSTOCK_DATA_DIR: dir }));
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let readyMs = NaN;
  for (;;) {
    const [, status] = await timed(`${base}/health/ready`);
    if (status === 200) break;
    if (performance.now() - t0 > 180_000) break;
    await sleep(250);
  }
  readyMs = performance.now() - t0;
  await sleep(5000); // settle
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const ready: number[] = [];
  const api: number[] = [];
  let notReady = 0;
  while (performance.now() - start < PROBE_S * 1000) {
    const [r, status] = await timed(`${base}/health/ready`);
    ready.push(r);
    if (status !== 200) notReady++;
    api.push((await timed(`${base}/api/v1/market/status`))[0]);
    await sleep(250);
  }
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - start;
  loop.disable();
  const ms = (x: number) => Math.round(x * 10) / 10;
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const heapBeforeGc = v8.getHeapStatistics();
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  const mem = process.memoryUsage();
  console.log(
    JSON.stringify({
      tree: root,
      bootToReadyS: ms(readyMs / 1000),
      cpuPctOfCore: ms(((used.user + used.system) / 1000 / elapsed) * 100),
      loopP50: ms(loop.percentile(50) / 1e6),
      loopP99: ms(loop.percentile(99) / 1e6),
      loopMax: ms(loop.max / 1e6),
      readyP50: ms(pct(ready, 0.5)),
      readyP99: ms(pct(ready, 0.99)),
      readyNot200: notReady,
      apiP50: ms(pct(api, 0.5)),
      apiP99: ms(pct(api, 0.99)),
      rssMb: Math.round(mem.rss / 1e6),
      heapMb: Math.round(mem.heapUsed / 1e6),
      heapTotalBeforeGcMb: Math.round(heapBeforeGc.total_heap_size / 1e6),
      externalMb: Math.round(mem.external / 1e6),
      feedQuotes: metric('market_feed_quotes_total'),
      trades: metric('market_trades_total'),
    }),
  );
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
