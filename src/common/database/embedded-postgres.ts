import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';

interface ReadyMessage {
  type: 'ready' | 'error';
  port?: number;
  message?: string;
}

/**
 * Owns the PGlite child process. The app connects to it with the ordinary `pg` driver and a
 * pool of exactly one connection: PGlite is a single session, and two interleaved
 * transactions on one session would commit each other's writes.
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger(EmbeddedPostgres.name);
  private child?: ChildProcess;
  private exited?: Promise<void>;
  port = 0;

  constructor(private readonly dataDir: string | undefined) {}

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(timeoutMs = 60_000): Promise<this> {
    const script = join(__dirname, 'pglite-server.mjs');
    const child = fork(script, [], {
      env: { ...process.env, PGLITE_DATA_DIR: this.dataDir ?? '', PGLITE_PORT: '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const ready = await new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`embedded Postgres did not start in ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (m: ReadyMessage) => {
        clearTimeout(timer);
        resolve(m);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`embedded Postgres exited during start (code ${code})`));
      });
    });
    if (ready.type !== 'ready' || !ready.port) throw new Error(`embedded Postgres failed: ${ready.message}`);
    this.port = ready.port;
    this.logger.log(`embedded Postgres (PGlite) on 127.0.0.1:${this.port}, data in ${this.dataDir ?? 'memory'}`);
    return this;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
