import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A child process driven over IPC: send a command, wait for a reply of a given type. */
export class Proc {
  private readonly waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  exited = false;

  constructor(readonly name: string, readonly child: ChildProcess) {
    child.on('message', (m: Record<string, unknown>) => {
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
    });
    child.on('exit', () => (this.exited = true));
  }

  send(message: object): void {
    this.child.send(message);
  }

  wait<T = Record<string, unknown>>(type: string, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}) while waiting for "${type}"`));
      });
    });
  }

  request<T = Record<string, unknown>>(message: object, type: string, timeoutMs?: number): Promise<T> {
    const reply = this.wait<T>(type, timeoutMs);
    this.send(message);
    return reply;
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Runs a TypeScript file of this folder in its own node process (ts-node, transpile only). */
export function spawnTs(file: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): Proc {
  const child = fork(join(__dirname, file), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only', ...execArgv],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Proc(file, child);
}

/** Busy share of all cores between two readings of /proc/stat. */
export function cpuTimes(): { busy: number; total: number } {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
