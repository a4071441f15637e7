export interface GroupCommitOptions<Req, Res> {
  /** Runs one batch as one statement; answers one result per request, in order. */
  run: (batch: Req[]) => Promise<Res[]>;
  /** Requests with the same key never share a batch (a set-based UPDATE changes each row once). */
  keyOf: (req: Req) => string;
  /** True when a batch's error means the batch wrote nothing (Postgres refused the statement). */
  wroteNothing: (err: unknown) => boolean;
  /** Statements in flight at once. */
  maxInFlight: number;
  maxBatch: number;
}

interface Waiter<Req, Res> {
  req: Req;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: concurrent requests share one statement and one commit. A request that arrives
 * while fewer than `maxInFlight` statements run leaves at once, alone (no wait is added at low
 * load); otherwise it waits for the next free slot and leaves with everyone who queued meanwhile,
 * so batches grow exactly as fast as the database falls behind.
 *
 * A failed batch is run again as one statement per request when the error says nothing was written,
 * so one request's error (a replayed idempotency key meeting its unique index) stays its own.
 * Any other error (the connection lost mid-commit: outcome unknown) goes to every request of the
 * batch and nothing is re-run, which could place an order twice.
 */
export class GroupCommit<Req, Res> {
  private queue: Waiter<Req, Res>[] = [];
  /** Requests (not statements) in flight. */
  private inFlight = 0;
  private statementsInFlight = 0;

  constructor(private readonly opts: GroupCommitOptions<Req, Res>) {}

  /** Requests in statements now running, and requests waiting for a slot. */
  get load(): { inFlight: number; waiting: number } {
    return { inFlight: this.inFlight, waiting: this.queue.length };
  }

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.statementsInFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.statementsInFlight++;
      this.inFlight += batch.length;
      void this.runBatch(batch).finally(() => {
        this.statementsInFlight--;
        this.inFlight -= batch.length;
        this.pump();
      });
    }
  }

  /** The oldest requests with distinct keys, up to maxBatch; the rest keep their places. */
  private takeBatch(): Waiter<Req, Res>[] {
    const keys = new Set<string>();
    const batch: Waiter<Req, Res>[] = [];
    const rest: Waiter<Req, Res>[] = [];
    for (const w of this.queue) {
      const key = this.opts.keyOf(w.req);
      if (batch.length < this.opts.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(w);
      } else {
        rest.push(w);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async runBatch(batch: Waiter<Req, Res>[]): Promise<void> {
    try {
      const results = await this.execute(batch.map((w) => w.req));
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1 || !this.opts.wroteNothing(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(batch.map((w) => this.execute([w.req]).then(([res]) => w.resolve(res), w.reject)));
    }
  }

  /** One answer per request, in order, or no answer at all: never someone else's. */
  private async execute(reqs: Req[]): Promise<Res[]> {
    const results = await this.opts.run(reqs);
    if (results.length !== reqs.length) throw new Error(`group statement answered ${results.length} rows for ${reqs.length} requests`);
    return results;
  }
}
