/**
 * A replica's view of the bus, in a process of its own: subscribes like the app does (ours: the
 * batched channel; naive: every price:<symbol> channel) and reports when each quote arrived.
 */
import Redis from 'ioredis';
import { performance } from 'node:perf_hooks';
import { BusDecoder, QUOTES_CHANNEL } from '../../src/modules/market-data/bus/quote-bus';

export type SubscriberMessage = { type: 'ready' } | { type: 'arrivals'; arrivals: [ts: number, at: number, count: number][] };

async function main(): Promise<void> {
  const [url, mode, prefix] = process.argv.slice(2);
  const redis = new Redis(url);
  const decoder = new BusDecoder();
  let pending: [number, number, number][] = [];
  redis.on('message', (_channel: string, message: string) => {
    const at = performance.timeOrigin + performance.now();
    const m = decoder.decode(message);
    if (m?.kind === 'quotes' && m.quotes.length) pending.push([m.quotes[0].timestamp, at, m.quotes.length]);
  });
  redis.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    const at = performance.timeOrigin + performance.now();
    // The naive body is the quote's JSON; its timestamp is the batch key.
    const ts = Number(/"timestamp":(\d+)/.exec(message)?.[1]);
    if (ts) pending.push([ts, at, 1]);
  });
  if (mode === 'ours') await redis.subscribe(prefix + QUOTES_CHANNEL);
  else await redis.psubscribe(`${prefix}price:*`);
  setInterval(() => {
    if (pending.length) process.send!({ type: 'arrivals', arrivals: pending } satisfies SubscriberMessage);
    pending = [];
  }, 200);
  process.send!({ type: 'ready' } satisfies SubscriberMessage);
}

void main();
