import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What the orchestrator asks a server process for: memory (optionally after a full GC), CPU, loop delay. */
export function serverStats() {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  return {
    resetLoop: () => loop.reset(),
    sample: (gc: boolean) => {
      // Twice: the first pass leaves what finalizers and weak callbacks free for the second.
      const collect = (global as unknown as { gc?: () => void }).gc;
      if (gc && collect) {
        collect();
        collect();
      }
      const m = process.memoryUsage();
      return {
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        cpu: process.cpuUsage(),
        loopP99Ms: loop.percentile(99) / 1e6,
        loopMaxMs: loop.max / 1e6,
      };
    },
  };
}

export type ServerSample = ReturnType<ReturnType<typeof serverStats>['sample']>;
