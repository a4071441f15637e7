import type { Command } from './types';

/** Anything that consumes commands; `MatchingEngine` is one. */
export interface CommandSink {
  apply(cmd: Command): void;
}

/**
 * Append-only command log. Because the engine has no clock and no other input, the
 * command sequence alone is the state: replaying it into a fresh engine reproduces
 * every event and the same `stateHash()`.
 */
export class Journal {
  private readonly log: Command[] = [];

  /** Shallow copy: callers may reuse or mutate their command objects afterwards. */
  append(cmd: Command): void {
    this.log.push({ ...cmd });
  }

  get length(): number {
    return this.log.length;
  }

  entries(): readonly Command[] {
    return this.log;
  }

  replayInto(sink: CommandSink): void {
    for (const cmd of this.log) sink.apply(cmd);
  }

  /** One JSON command per line, the on-disk format. */
  toJsonLines(): string {
    return this.log.map((c) => JSON.stringify(c)).join('\n');
  }

  static fromJsonLines(text: string): Journal {
    const j = new Journal();
    for (const line of text.split('\n')) {
      if (line.trim() !== '') j.log.push(JSON.parse(line) as Command);
    }
    return j;
  }
}
