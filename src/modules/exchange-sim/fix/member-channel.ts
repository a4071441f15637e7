import type { FixFileSessionStore } from '../../../common/fix/fix-file-session-store';
import type { FixMessage } from './fix-execution-reports';

/** What the channel needs from a live session (VenueFixSession). */
export interface LiveSession {
  readonly isReady: boolean;
  sendApp(msgType: string, body: Record<string, unknown>): boolean;
}

/**
 * One member's outbound application stream, which outlives its connections. Every message gets
 * exactly one sequence number from exactly one allocator:
 *  - a ready session stamps it as it sends;
 *  - with no session at all, the store stamps it now (appendOffline) and the member gets it through
 *    its ResendRequest after the next Logon (its gap detection sees the higher MsgSeqNum);
 *  - while a session is connecting or going away its transmitter already holds the next number,
 *    so messages wait here in order and go out on ready, or to the store when it detaches.
 */
export class MemberChannel {
  private session: LiveSession | null = null;
  private readonly waiting: FixMessage[] = [];

  constructor(
    readonly memberId: string,
    readonly store: FixFileSessionStore,
  ) {}

  deliver(message: FixMessage): void {
    const session = this.session;
    if (session === null) {
      this.store.appendOffline(message.msgType, message.body);
    } else if (this.waiting.length > 0 || !session.sendApp(message.msgType, message.body)) {
      this.waiting.push(message);
    }
  }

  /** A connection for this member exists (before its Logon): stop stamping offline. */
  attach(session: LiveSession): void {
    this.session = session;
  }

  /** The session completed its Logon: release what waited for it, in order. */
  ready(session: LiveSession): void {
    if (session !== this.session) return;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (!session.sendApp(next.msgType, next.body)) return;
      this.waiting.shift();
    }
  }

  /** Messages a session accepted but never put on the wire: they go first, before anything newer. */
  handBack(messages: FixMessage[]): void {
    if (this.session !== null) this.waiting.unshift(...messages);
    else messages.forEach((m) => this.store.appendOffline(m.msgType, m.body));
  }

  /** The connection is gone. If it was the current one, what waited is stamped into the store. */
  detach(session: LiveSession): void {
    if (session !== this.session) return;
    this.session = null;
    for (const message of this.waiting.splice(0)) this.store.appendOffline(message.msgType, message.body);
  }
}
