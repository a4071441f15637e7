/**
 * Load generator process: holds many WebSocket clients and measures tick delivery latency
 * (receive time − the tick's exchange_timestamp). For Mstock the clients speak socket.io's wire
 * protocol directly over `ws` — the same frames socket.io-client sends and reads — because a full
 * socket.io-client per connection would spend the shared 2 cores on client-library work; a few
 * real SDK clients (probes) run alongside to show the two measure the same thing.
 */
import WebSocket from 'ws';
import { RealtimeClient } from '../../src/sdk';
import { LatencyHistogram } from './histogram';
import { prng } from './quote-generator';

type Design = 'socketio' | 'naive' | 'kite';
interface Tick {
  exchange_timestamp: number;
}

const sockets: WebSocket[] = [];
const probes: RealtimeClient[] = [];
const hist = new LatencyHistogram();
const probeHist = new LatencyHistogram();
let measuring = false;
let deliveries = 0;
let frames = 0;
let cpuAtStart = process.cpuUsage();
let design: Design = 'socketio';

function onTicks(ticks: Tick[], into: LatencyHistogram): void {
  if (!measuring) return;
  const now = Date.now();
  for (const t of ticks) into.record(now - t.exchange_timestamp);
}

const STAMP = Buffer.from('"exchange_timestamp":');

/**
 * Timestamps every tick in a received message by scanning its bytes for exchange_timestamp,
 * without JSON.parse: the generator shares the cores with the server, so it should spend as
 * little as it can, and the same scan serves both designs.
 */
function onMessageBytes(data: Buffer): void {
  if (!measuring) return;
  const now = Date.now();
  let n = 0;
  for (let i = data.indexOf(STAMP); i >= 0; i = data.indexOf(STAMP, i + STAMP.length)) {
    let value = 0;
    for (let j = i + STAMP.length; j < data.length; j++) {
      const c = data[j];
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
    }
    hist.record(now - value);
    n++;
  }
  if (n) {
    frames++;
    deliveries += n;
  }
}

function openSocketIo(url: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      // "42[" is a socket.io event: ticks (only ticks carry exchange_timestamp here).
      if (data[0] === 0x34 && data[1] === 0x32) return onMessageBytes(data);
      const text = data.toString();
      if (text === '2') ws.send('3');
      else if (text.startsWith('43')) ws.emit('ack');
      else if (text.startsWith('40')) resolve(ws);
      else if (text.startsWith('44')) reject(new Error(text));
      else if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token, v: 1 })}`);
    });
  });
}

function openNaive(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url.replace('http', 'ws'), { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => resolve(ws));
    ws.on('message', (data: Buffer) => {
      if (data.includes(STAMP)) onMessageBytes(data);
      else ws.emit('ack');
    });
  });
}

/** Kite ticker connection; `credential` is "api_key:access_token". */
function openKite(url: string, credential: string): Promise<WebSocket> {
  const [apiKey, accessToken] = credential.split(':');
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/kite?api_key=${apiKey}&access_token=${accessToken}`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('open', () => resolve(ws));
  });
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<number> {
  let failed = 0;
  for (let i = 0; i < items.length; i += size) {
    const results = await Promise.allSettled(items.slice(i, i + size).map(run));
    failed += results.filter((r) => r.status === 'rejected').length;
  }
  return failed;
}

function pick(universe: number[], count: number, seed: number): number[] {
  const random = prng(seed);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, universe.length)) chosen.add(universe[Math.floor(random() * universe.length)]);
  return [...chosen];
}

const ackOf = (ws: WebSocket, timeoutMs = 20_000) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ack timeout')), timeoutMs);
    ws.once('ack', () => {
      clearTimeout(timer);
      resolve();
    });
  });

interface Command {
  cmd: string;
  design?: Design;
  url?: string;
  tokens?: string[];
  count?: number;
  firstIndex?: number;
  probes?: number;
  universe?: number[];
  perClient?: number;
  seed?: number;
  workerIndex?: number;
}

let firstIndex = 0;

process.on('message', async (msg: Command) => {
  if (msg.cmd === 'connect') {
    design = msg.design!;
    if (!sockets.length) firstIndex = msg.firstIndex!;
    const started = Date.now();
    const indexes = Array.from({ length: msg.count! }, (_, i) => i);
    const before = sockets.length;
    const failed = await inBatches(indexes, 100, async (i) => {
      const token = msg.tokens![(firstIndex + i) % msg.tokens!.length];
      sockets.push(design === 'socketio' ? await openSocketIo(msg.url!, token) : design === 'kite' ? await openKite(msg.url!, token) : await openNaive(msg.url!));
    });
    for (let i = 0; i < (msg.probes ?? 0); i++) {
      const client = new RealtimeClient({ url: msg.url!, token: msg.tokens![i % msg.tokens!.length], transports: ['websocket'], recoverOrders: false });
      client.on('tick', (ticks) => onTicks(ticks, probeHist));
      await new Promise<void>((resolve) => {
        client.on('connected', () => resolve());
        client.connect();
      });
      probes.push(client);
    }
    process.send!({ type: 'connected', connected: sockets.length - before, failed, ms: Date.now() - started });
  } else if (msg.cmd === 'subscribe') {
    const perClient = msg.perClient!;
    const failed = await inBatches(
      sockets.map((ws, i) => ({ ws, i })),
      200,
      async ({ ws, i }) => {
        const instruments = pick(msg.universe!, perClient, msg.seed! + msg.workerIndex! * 1_000_000 + i);
        const acked = ackOf(ws);
        ws.send(design === 'socketio' ? `420${JSON.stringify(['subscribe', { instruments, mode: 'quote' }])}` : JSON.stringify({ a: 'subscribe', v: instruments }));
        await acked;
      },
    );
    await Promise.all(probes.map((p, i) => p.subscribe(pick(msg.universe!, perClient, msg.seed! + 1_000_000 + i), 'quote')));
    process.send!({ type: 'subscribed', failed });
  } else if (msg.cmd === 'measure-start') {
    hist.reset();
    probeHist.reset();
    deliveries = 0;
    frames = 0;
    cpuAtStart = process.cpuUsage();
    measuring = true;
    process.send!({ type: 'measuring' });
  } else if (msg.cmd === 'measure-stop') {
    measuring = false;
    const cpu = process.cpuUsage(cpuAtStart);
    process.send!({ type: 'measured', hist: hist.toJSON(), probeHist: probeHist.toJSON(), deliveries, frames, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (msg.cmd === 'disconnect') {
    for (const ws of sockets.splice(0)) ws.terminate();
    for (const p of probes.splice(0)) p.close();
    process.send!({ type: 'disconnected' });
  } else if (msg.cmd === 'exit') process.exit(0);
});
process.send!({ type: 'ready' });
