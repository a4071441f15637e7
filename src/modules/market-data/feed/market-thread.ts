import { Logger } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { Worker } from 'node:worker_threads';

/**
 * A market-data worker thread as its owner sees it: started from its entry file (the .js beside
 * this one when compiled; under ts-node or jest, the .ts through ts-node); its death — an error, or
 * an exit nobody asked for — reported once; and a polite stop: the thread is told, writes what it
 * holds and answers, or is terminated after `stopTimeoutMs`. A thread already dead stops at once.
 */
export class MarketThread<In, Out> {
  private readonly worker: Worker;
  private readonly logger: Logger;
  private stopping: Promise<void> | null = null;
  private exited = false;

  constructor(
    private readonly o: {
      /** Path of the entry file without its extension. */
      entry: string;
      workerData: unknown;
      /** For logs and reasons: "market-data feed thread". */
      name: string;
      onMessage: (m: Out) => void;
      /** The thread failed or exited on its own: the leader's term cannot go on. */
      onDeath: (reason: string) => void;
      /** The thread's answer to the stop message. */
      isStopped: (m: Out) => boolean;
      stopTimeoutMs: number;
    },
  ) {
    this.logger = new Logger(o.name);
    this.worker = startWorker(o.entry, o.workerData);
    this.worker.on('message', o.onMessage);
    this.worker.on('error', (err) => o.onDeath(`${o.name} failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (!this.stopping) o.onDeath(`${o.name} exited (${code})`);
    });
  }

  /** A stop has been asked for: nothing more should be posted. */
  get stopRequested(): boolean {
    return this.stopping !== null;
  }

  post(message: In): void {
    this.worker.postMessage(message);
  }

  stop(stopMessage: In): Promise<void> {
    if (this.exited) this.stopping ??= Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        void this.worker.terminate().then(() => resolve());
      };
      const timer = setTimeout(() => {
        this.logger.warn(`${this.o.name} did not stop within ${this.o.stopTimeoutMs} ms: terminated`);
        done();
      }, this.o.stopTimeoutMs);
      this.worker.once('exit', done);
      this.worker.on('message', (m: Out) => this.o.isStopped(m) && done());
      this.worker.postMessage(stopMessage);
    });
    return this.stopping;
  }
}

function startWorker(file: string, workerData: unknown): Worker {
  if (__filename.endsWith('.ts')) {
    const entry = JSON.stringify(`${file}.ts`);
    return new Worker(`require('ts-node').register({ transpileOnly: true }); require(${entry});`, { eval: true, workerData });
  }
  return new Worker(`${file}.js`, { workerData });
}

/** A thread's own Redis connection. ioredis reconnects by itself; the thread counts and reports failed commands. */
export function connectThreadRedis({ url, options }: { url?: string; options: RedisOptions }, connectionName: string, overrides: RedisOptions = {}): Redis {
  const named = { ...options, ...overrides, connectionName };
  const redis = url ? new Redis(url, named) : new Redis(named);
  redis.on('error', () => undefined);
  return redis;
}
