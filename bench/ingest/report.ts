import os from 'node:os';

export interface Stats {
  p50: number;
  p99: number;
  max: number;
  n: number;
}
export interface PhaseResult {
  rate: number;
  quotes: number;
  /** Exchange emit → PUBLISH acknowledged to the pipeline. */
  publish: Stats;
  /** Exchange emit → message received by a subscriber in another process. */
  delivered: Stats;
  persist: Stats;
  /** Pipeline process only, % of one core. */
  cpuPct: number;
  loopP99: number;
}
export interface RunResult {
  name: string;
  steady: PhaseResult;
  burst: PhaseResult;
  /** Ticks still unwritten when the run ended, and how long the writes took to catch up. */
  backlog: number;
  drainS: number;
  ticksWritten: number;
  failures: number;
}

/** Weighted percentiles of [value, weight] samples. */
export function stats(samples: [number, number][]): Stats {
  if (samples.length === 0) return { p50: NaN, p99: NaN, max: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((n, [, w]) => n + w, 0);
  const at = (q: number) => {
    let acc = 0;
    for (const [v, w] of sorted) if ((acc += w) >= q * total) return v;
    return sorted[sorted.length - 1][0];
  };
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1][0], n: total };
}

const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));
const ratio = (naive: number, ours: number) => (Number.isFinite(naive / ours) && ours > 0 ? `${(naive / ours).toFixed(1)}x` : '—');
const n = (x: number) => x.toLocaleString('en-US');

/** The round whose ours-steady publish P99 is the median: its full table is shown. */
function medianRound(rounds: RunResult[][]): RunResult[] {
  const sorted = [...rounds].sort((a, b) => a[0].steady.publish.p99 - b[0].steady.publish.p99);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function spread(rounds: RunResult[][]): string[] {
  const metrics: [string, (r: RunResult) => number][] = [
    ['publish P50, steady', (r) => r.steady.publish.p50],
    ['publish P99, steady', (r) => r.steady.publish.p99],
    ['delivered P99, steady', (r) => r.steady.delivered.p99],
    ['persist P99, steady', (r) => r.steady.persist.p99],
    ['publish P99, burst', (r) => r.burst.publish.p99],
    ['persist P99, burst', (r) => r.burst.persist.p99],
    ['CPU % steady', (r) => r.steady.cpuPct],
  ];
  const head = `| metric (ms unless stated) | ${rounds.map((_, i) => `ours r${i + 1}`).join(' | ')} | **ours median** | ${rounds.map((_, i) => `naive r${i + 1}`).join(' | ')} | **naive median** | naive / ours (medians) |`;
  const sep = `|---|${rounds.map(() => '---:').join('|')}|---:|${rounds.map(() => '---:').join('|')}|---:|---:|`;
  return [
    head,
    sep,
    ...metrics.map(([label, f]) => {
      const a = rounds.map((r) => f(r[0]));
      const b = rounds.map((r) => f(r[1]));
      return `| ${label} | ${a.map(ms).join(' | ')} | **${ms(median(a))}** | ${b.map(ms).join(' | ')} | **${ms(median(b))}** | ${ratio(median(b), median(a))} |`;
    }),
  ];
}

export function report(rounds: RunResult[][], o: { instruments: number; steadyS: number; burstS: number; warmupS: number }): string {
  const results = medianRound(rounds);
  const row = (r: RunResult, label: 'steady' | 'burst') => {
    const p = r[label];
    return `| ${r.name} | ${label} ${n(p.rate)}/s | ${n(p.quotes)} | ${ms(p.publish.p50)} | ${ms(p.publish.p99)} | ${ms(p.delivered.p50)} | ${ms(p.delivered.p99)} | ${ms(p.persist.p50)} | ${ms(p.persist.p99)} | ${ms(p.persist.max)} | ${p.cpuPct.toFixed(0)}% | ${ms(p.loopP99)} |`;
  };
  const [us, them] = results;
  const cpus = os.cpus();
  const line = (label: string, a: number, b: number) => `| ${label} | ${ms(a)} | ${ms(b)} | ${ratio(b, a)} |`;
  return [
    '# Market-data ingest benchmark',
    '',
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} logical CPUs), ${os.platform()} ${os.release()}, local Postgres 15 and Redis 7; run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (the machine is shared: other sessions' test suites run on the same two cores, so absolute latencies here are pessimistic; the two pipelines ran back to back under the same conditions).`,
    '',
    `${n(o.instruments)} instruments. A synthetic exchange in its own process trades a slice of them every 100 ms (one trade per quote, 5-level book) and publishes through the simulator's FeedServer over loopback TCP. Phases: ${o.steadyS} s at 1 quote/instrument/s (${n(o.instruments)}/s), then ${o.burstS} s at 10× (${n(o.instruments * 10)}/s), each after ${o.warmupS} s of warm-up at its rate (counted from the pipeline's first publish and tick commit: under ts-node its threads first compile their code). Both pipelines read the feed with FeedClient in the process under test (ours on its feed thread, as the app runs it with Postgres and Redis); a third process subscribes to the bus as another replica would. \`npm run bench:ingest\`.`,
    '',
    '- **publish**: exchange emit → feed server → TCP → decode → validate → the PUBLISH acknowledged by Redis (ours: one message per batch; naive: that quote\'s SET + SET + PUBLISH).',
    '- **delivered**: exchange emit → the message received by the subscriber process (ours: the batch on one channel; naive: PSUBSCRIBE to price:*).',
    '- **persist**: ours — tick received by the handler → its batch committed (the oldest tick of each batch); naive — exchange emit → that tick\'s INSERT done.',
    '- Latencies in ms, weighted per quote. CPU: the pipeline process only, % of one core. Loop: event-loop delay P99 of that process.',
    '',
    `Each round runs ours, then the naive pipeline, against the same exchange process; ${rounds.length} rounds. All rounds:`,
    '',
    ...spread(rounds),
    '',
    'The median round (by ours\' steady publish P99) in full:',
    '',
    '| pipeline | phase | quotes | publish P50 | publish P99 | delivered P50 | delivered P99 | persist P50 | persist P99 | persist max | CPU | loop P99 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    row(us, 'steady'),
    row(us, 'burst'),
    row(them, 'steady'),
    row(them, 'burst'),
    '',
    '| side by side | ours | naive | naive / ours |',
    '|---|---:|---:|---:|',
    line('publish P99, steady (ms)', us.steady.publish.p99, them.steady.publish.p99),
    line('publish P99, burst (ms)', us.burst.publish.p99, them.burst.publish.p99),
    line('delivered P99, steady (ms)', us.steady.delivered.p99, them.steady.delivered.p99),
    line('persist P99, steady (ms)', us.steady.persist.p99, them.steady.persist.p99),
    line('persist P99, burst (ms)', us.burst.persist.p99, them.burst.persist.p99),
    line('CPU, steady (% of a core)', us.steady.cpuPct, them.steady.cpuPct),
    line('CPU, burst (% of a core)', us.burst.cpuPct, them.burst.cpuPct),
    `| ticks unwritten at the end / time to drain | ${n(us.backlog)} / ${us.drainS.toFixed(1)} s | ${n(them.backlog)} / ${them.drainS.toFixed(1)} s | |`,
    `| ticks written in the run | ${n(us.ticksWritten)} | ${n(them.ticksWritten)} | |`,
    '',
    `Targets (issue 8) at 5,000 ticks/s: publish lag P99 ≤ 10 ms — ours, median of rounds, ${ms(median(rounds.map((r) => r[0].steady.publish.p99)))} ms (P50 ${ms(median(rounds.map((r) => r[0].steady.publish.p50)))} ms); persistence lag < 1 s — ours P99 ${ms(median(rounds.map((r) => r[0].steady.persist.p99)))} ms.`,
    '',
  ].join('\n');
}
