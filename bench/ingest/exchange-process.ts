/**
 * The benchmark's exchange in a process of its own (as `npm run exchange-sim` is): a BenchMarket
 * behind the simulator's FeedServer. Tells the parent its port, each batch's emit time (absolute,
 * sub-millisecond) keyed by the batch's quote timestamp, and takes rate changes.
 */
import { performance } from 'node:perf_hooks';
import { FeedServer } from '../../src/modules/exchange-sim/feed/feed-server';
import { BenchMarket, benchInstruments } from './market';

export type ExchangeMessage = { type: 'ready'; port: number } | { type: 'emits'; emits: [ts: number, at: number][] };

async function main(): Promise<void> {
  const market = new BenchMarket(benchInstruments(Number(process.argv[2] ?? 5000)).values());
  const server = new FeedServer(market, { port: 0, logger: { log: () => undefined, warn: (m) => console.warn(m), error: (m) => console.error(m) } });
  const port = await server.start();
  let pending: [number, number][] = [];
  market.onQuotes((batch) => pending.push([batch[0].timestamp, performance.timeOrigin + market.emittedAt.get(batch[0].timestamp)!]));
  setInterval(() => {
    if (pending.length) process.send!({ type: 'emits', emits: pending } satisfies ExchangeMessage);
    pending = [];
  }, 200);
  process.on('message', (m: { rate: number }) => (market.rate = m.rate));
  market.start();
  process.send!({ type: 'ready', port } satisfies ExchangeMessage);
}

void main();
