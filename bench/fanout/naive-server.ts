/**
 * The seed's naive design, as the baseline: a plain `ws` server where every tick is
 * JSON-encoded once per subscribed client and sent as its own message (no rooms shared
 * encoding, no batching, no conflation, no backpressure). Same synthetic market, same tick JSON.
 */
import WebSocket, { WebSocketServer } from 'ws';
import { tickOf } from '../../src/modules/realtime/fanout/json-tick.codec';
import { QuoteGenerator, UniverseItem } from './quote-generator';
import { serverStats } from './server-stats';

const subscribers = new Map<number, Set<WebSocket>>();

function start(port: number, universe: UniverseItem[]): void {
  const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 });
  wss.on('connection', (ws) => {
    const mine: number[] = [];
    ws.on('message', (data) => {
      const { a, v } = JSON.parse(data.toString()) as { a: string; v: number[] };
      if (a !== 'subscribe') return;
      for (const token of v) {
        let set = subscribers.get(token);
        if (!set) subscribers.set(token, (set = new Set()));
        set.add(ws);
        mine.push(token);
      }
      ws.send(JSON.stringify({ type: 'subscribed', count: v.length }));
    });
    ws.on('close', () => mine.forEach((t) => subscribers.get(t)?.delete(ws)));
    ws.on('error', () => ws.terminate());
  });
  const generator = new QuoteGenerator(universe, Number(process.env.BENCH_TICKS_PER_SECOND ?? 5000), Number(process.env.BENCH_BATCH_MS ?? 100));
  generator.start((quotes) => {
    for (const q of quotes) {
      const set = subscribers.get(q.instrumentToken);
      if (!set) continue;
      const tick = tickOf(q, 'quote');
      for (const ws of set) ws.send(JSON.stringify({ type: 'tick', data: tick }));
    }
  });
  const stats = serverStats();
  process.on('message', (msg: { cmd: string; gc?: boolean }) => {
    if (msg.cmd === 'stats') process.send!({ type: 'stats', ...stats.sample(!!msg.gc), emitted: generator.emitted });
    else if (msg.cmd === 'reset-loop') stats.resetLoop();
    else if (msg.cmd === 'pause') generator.stop();
    else if (msg.cmd === 'resume') generator.resume();
    else if (msg.cmd === 'stop') {
      generator.stop();
      wss.close();
      process.exit(0);
    }
  });
  wss.on('listening', () => process.send!({ type: 'ready' }));
}

process.once('message', (msg: { cmd: string; port: number; universe: UniverseItem[] }) => {
  if (msg.cmd === 'start') start(msg.port, msg.universe);
});
