/**
 * Latency histogram at 1 ms resolution (Date.now() on both ends of a loopback run), sparse so
 * worker processes can ship it over IPC and the orchestrator can merge them.
 */
export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  total = 0;

  record(ms: number): void {
    const bucket = ms < 0 ? 0 : Math.round(ms);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
  }

  reset(): void {
    this.counts.clear();
    this.total = 0;
  }

  toJSON(): [number, number][] {
    return [...this.counts];
  }

  static merge(parts: [number, number][][]): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const part of parts) {
      for (const [ms, n] of part) {
        h.counts.set(ms, (h.counts.get(ms) ?? 0) + n);
        h.total += n;
      }
    }
    return h;
  }

  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (const ms of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(ms)!;
      if (seen >= rank) return ms;
    }
    return NaN;
  }
}
