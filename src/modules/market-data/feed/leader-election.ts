import type { Lock, LockLease } from '../../../common/redis/ports';

export interface LeaderElectionOptions {
  lock: Lock;
  name: string;
  /** Lease length. A leader that dies without releasing is replaced within about ttl + one follower poll. */
  ttlMs: number;
  /** Leadership won: start working. Throwing gives the lease back (e.g. the database is down). */
  onElected(lease: LockLease): Promise<void>;
  /** Leadership lost or given up: stop working. */
  onDeposed(reason: string): Promise<void>;
  logger: { log(m: string): void; warn(m: string): void };
}

/**
 * Redis-lock leader election: followers try to take the lease every ~second; the leader extends
 * it every ttl/3. A failed extension that Redis answers ("not yours any more") deposes at once.
 * A failed extension that Redis does not answer (Redis down) does not: nobody else can take the
 * lease either, and the database fence (market_feed_leader) refuses this leader's writes the
 * moment a successor claims its term after Redis is back.
 */
export class LeaderElection {
  private lease: LockLease | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.lease !== null;
  }

  get fencingToken(): number | null {
    return this.lease?.fencingToken ?? null;
  }

  /** Runs the first round now (so a single replica leads before it reports ready), then on a timer. */
  async start(): Promise<void> {
    this.running = true;
    await this.round();
  }

  /** Stops competing; a leader steps down and releases the lease so a follower takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
    await this.stepDown('shutting down');
  }

  /** Gives leadership up now (the work found it was fenced out); competes again from the next round. */
  resign(reason: string): void {
    this.busy = this.busy.then(() => this.stepDown(reason)).catch((err) => this.o.logger.warn(`stepping down failed: ${(err as Error).message}`));
  }

  private round(): Promise<void> {
    this.busy = this.busy
      .then(() => this.attempt())
      .catch((err) => this.o.logger.warn(`leader election round failed: ${(err as Error).message}`))
      .finally(() => this.schedule());
    return this.busy;
  }

  private schedule(): void {
    if (!this.running) return;
    const delay = this.lease ? this.o.ttlMs / 3 : Math.min(1000, this.o.ttlMs / 2);
    this.timer = setTimeout(() => void this.round(), delay);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (!this.running) return;
    if (this.lease) return this.renew(this.lease);
    let lease: LockLease | null;
    try {
      lease = await this.o.lock.tryAcquire(this.o.name, this.o.ttlMs);
    } catch {
      return; // Redis unreachable: try again next round
    }
    if (!lease) return;
    this.lease = lease;
    try {
      await this.o.onElected(lease);
      this.o.logger.log(`elected feed leader (lease fence ${lease.fencingToken})`);
    } catch (err) {
      this.o.logger.warn(`could not start as feed leader, giving the lease back: ${(err as Error).message}`);
      this.lease = null;
      await lease.release().catch(() => undefined);
    }
  }

  private async renew(lease: LockLease): Promise<void> {
    let held: boolean;
    try {
      held = await lease.extend(this.o.ttlMs);
    } catch (err) {
      this.o.logger.warn(`feed leader lease not renewed (Redis unreachable), still leading: ${(err as Error).message}`);
      return;
    }
    if (!held) await this.stepDown('lease lost');
  }

  private async stepDown(reason: string): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    this.lease = null;
    this.o.logger.log(`stepping down as feed leader: ${reason}`);
    try {
      await this.o.onDeposed(reason);
    } finally {
      await lease.release().catch(() => undefined);
    }
  }
}
