import { LIQUIDITY_MEMBER } from '../liquidity/liquidity-port';
import type { VenueMessage } from '../venue.types';

export type MessageListener = (message: VenueMessage) => void;

export interface SimLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, trace?: string): void;
}

/**
 * Delivers venue messages to per-member listeners asynchronously and in order, as a real
 * exchange link would: the caller of submit() never sees its own report re-entrantly, and a
 * listener that submits again from its callback cannot reorder earlier messages.
 */
export class MessageOutbox {
  private readonly listeners = new Map<string, Set<MessageListener>>();
  private queue: VenueMessage[] = [];
  private scheduled = false;

  constructor(private readonly log?: SimLogger) {}

  subscribe(memberId: string, listener: MessageListener): () => void {
    let set = this.listeners.get(memberId);
    if (set === undefined) this.listeners.set(memberId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(memberId) === set) this.listeners.delete(memberId);
    };
  }

  push(message: VenueMessage): void {
    // The reserved liquidity member's messages go nowhere, whoever listens.
    if (message.memberId === LIQUIDITY_MEMBER) return;
    this.queue.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Delivers everything queued so far (and whatever listeners queue meanwhile). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const message of batch) this.deliver(message);
    }
  }

  private deliver(message: VenueMessage): void {
    const set = this.listeners.get(message.memberId);
    // A member without a session misses the message, as over FIX; status() answers later.
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(message);
      } catch (err) {
        this.log?.error(`venue message listener of ${message.memberId} failed: ${(err as Error).message}`, (err as Error).stack);
      }
    }
  }
}
