import { performance } from 'node:perf_hooks';

/** A batch may run a flush this much early: with 100 ms batches a 200 ms flush then runs every second batch, not every third. */
const EARLY = 0.8;
/** The timer runs a flush only once it is this late: while batches arrive, they run it. */
const LATE = 1.25;

/**
 * When one of the leader's periodic writes runs: right after a feed batch has been handled, once
 * it is (nearly) due, so the write reaches Redis or Postgres in the quiet gap after a publish
 * rather than at a random moment, where it delayed the next publish (the feed's PUBLISH queues
 * behind whatever Redis and the cores are busy with). A timer covers a quiet feed.
 */
export class FlushSchedule {
  private last: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly periodMs: number,
    private readonly flush: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  start(): void {
    this.timer ??= setInterval(() => this.runIfDue(LATE), this.periodMs / 4);
  }

  afterBatch(): void {
    this.runIfDue(EARLY);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private runIfDue(fraction: number): void {
    const now = this.now();
    if (now - this.last < this.periodMs * fraction) return;
    this.last = now;
    this.flush();
  }
}
