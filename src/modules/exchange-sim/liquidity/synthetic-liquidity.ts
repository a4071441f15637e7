import { performance } from 'node:perf_hooks';
import { SessionState } from '../engine';
import { InstrumentAgent, type AgentClients } from './instrument-agent';
import { LIQUIDITY_MEMBER, type LiquidityInstrument, type LiquidityPort } from './liquidity-port';

export interface SyntheticLiquidityOptions {
  port: LiquidityPort;
  /** config.simulator.seed: the same seed gives the same order flow. */
  seed: number;
  /** Trades per instrument per second (config.simulator.ticksPerSecond). */
  ticksPerSecond: number;
  /** Timer period; each tick visits one slice of the instruments. */
  intervalMs?: number;
}

/**
 * Synthetic order flow for every tradable instrument. A timer fires every `intervalMs` and
 * visits one slice of the instruments, so the work is spread evenly instead of arriving as one
 * burst per second; the number of slices is chosen so that each instrument is visited about
 * once a second (more often when more than one trade a second is asked for), and each visit
 * sends on average `ticksPerSecond × visit interval` marketable orders. Deterministic: the
 * order flow depends only on the seed and on the engine's state, never on wall time.
 */
export class SyntheticLiquidity {
  private readonly port: LiquidityPort;
  private readonly seed: number;
  private readonly intervalMs: number;
  /** Instruments are visited every `slices` timer ticks. */
  readonly slices: number;
  private readonly visitSeconds: number;
  private readonly tradesPerVisit: number;
  private readonly byToken = new Map<number, InstrumentAgent>();
  private agents: InstrumentAgent[] = [];
  private source: readonly LiquidityInstrument[] | null = null;
  private clients: AgentClients | null = null;
  private slice = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Monotonic time up to which timer ticks have been worked off. */
  private doneUntil = 0;

  constructor(options: SyntheticLiquidityOptions) {
    this.port = options.port;
    this.seed = options.seed;
    this.intervalMs = options.intervalMs ?? 50;
    const ticksPerSecondOfTimer = 1000 / this.intervalMs;
    const visitsPerSecond = Math.min(ticksPerSecondOfTimer, Math.max(1, Math.ceil(options.ticksPerSecond)));
    this.slices = Math.max(1, Math.round(ticksPerSecondOfTimer / visitsPerSecond));
    this.visitSeconds = (this.slices * this.intervalMs) / 1000;
    this.tradesPerVisit = options.ticksPerSecond * this.visitSeconds;
  }

  start(): void {
    if (this.timer !== null) return;
    this.doneUntil = performance.now();
    this.timer = setInterval(() => this.onTimer(), this.intervalMs).unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  get agentCount(): number {
    return this.agents.length;
  }

  agentFor(token: number): InstrumentAgent | undefined {
    return this.byToken.get(token);
  }

  /**
   * A timer that fires late (a busy event loop, a starved CPU) would slow the trade rate down;
   * the ticks that were due meanwhile are worked off at once, up to one full cycle, so a long
   * stall does not turn into a burst.
   */
  private onTimer(): void {
    const now = performance.now();
    const due = Math.min(this.slices, Math.floor((now - this.doneUntil) / this.intervalMs));
    this.doneUntil = due === this.slices ? now : this.doneUntil + due * this.intervalMs;
    for (let n = 0; n < due; n++) this.step();
  }

  /** One timer tick: visits the next slice of instruments. */
  step(): void {
    const port = this.port;
    this.syncInstruments();
    const slice = this.slice;
    this.slice = (slice + 1) % this.slices;
    if (!port.acceptingOrders) {
      if (port.session === SessionState.CLOSED) for (const a of this.agents) a.forgetResting();
      return;
    }
    const clients = (this.clients ??= {
      marketMaker: port.clientIdOf(LIQUIDITY_MEMBER, 'MARKET_MAKER'),
      noise: port.clientIdOf(LIQUIDITY_MEMBER, 'NOISE'),
    });
    const preOpen = port.session === SessionState.PRE_OPEN;
    const agents = this.agents;
    for (let i = slice; i < agents.length; i += this.slices) {
      agents[i].visit(port, clients, preOpen, this.visitSeconds, this.tradesPerVisit);
    }
  }

  /** A full cycle: every instrument visited once. */
  cycle(): void {
    for (let n = 0; n < this.slices; n++) this.step();
  }

  /** Picks up newly listed instruments and drops suspended ones; agents of the others keep their state. */
  private syncInstruments(): void {
    const list = this.port.liquidityInstruments();
    if (list === this.source) return;
    this.source = list;
    const next: InstrumentAgent[] = [];
    for (const instrument of list) {
      let agent = this.byToken.get(instrument.token);
      if (agent === undefined) this.byToken.set(instrument.token, (agent = new InstrumentAgent(instrument, this.seed)));
      next.push(agent);
    }
    this.agents = next;
  }
}
