import type { LoggerService } from '@nestjs/common';
import { MsgTag, MsgType, type IJsFixConfig, type MsgView } from '../../common/fix/jspurefix';
import { RecoveringFixSession, type UnsentMessage } from '../../common/fix/recovering-fix-session';

/** What one initiator connection reports to the link that owns it. */
export interface InitiatorSessionHooks {
  ready(session: InitiatorSession): void;
  stopped(session: InitiatorSession, error?: Error): void;
  application(session: InitiatorSession, msgType: string, view: MsgView): void;
  /** A session-level Reject (3) of something we sent. */
  rejected(session: InitiatorSession, view: MsgView): void;
  /** An application message went out under `seq` (Reject and BusinessMessageReject name it by that). */
  sent(seq: number, msgType: string, body: Record<string, unknown>): void;
}

/**
 * One connection of the broker's FIX 4.4 initiator: jspurefix's AsciiSession with the recovery
 * layer the acceptor uses (resends from our store with PossDupFlag=Y, gap fills for admin
 * messages, sequence numbers never reset). Application messages go up to the gateway.
 */
export class InitiatorSession extends RecoveringFixSession {
  constructor(
    config: IJsFixConfig,
    private readonly hooks: InitiatorSessionHooks,
    private readonly logger: LoggerService,
  ) {
    super(config);
  }

  /** A session-level message sent as is (Reject): stored without a body, so gap-filled on resend. */
  sendAdmin(msgType: string, body: Record<string, unknown>): void {
    this.send(msgType, body);
  }

  /** Graceful end: Logout, and the session stops when the venue confirms (or the socket closes). */
  logout(): void {
    this.done();
  }

  protected override onLogon(view: MsgView): boolean {
    // jspurefix checks CompIDs on inbound messages only for acceptors; a Logon from someone other
    // than the venue we dialled must not be trusted with our order flow.
    const { SenderCompId: us } = this.config.description;
    const sender = view.getString(MsgTag.SenderCompID);
    const target = view.getString(MsgTag.TargetCompID);
    if (sender === this.peerCompId && target === us) return true;
    const text = `Logon from ${sender} to ${target}; expected ${this.peerCompId} to ${us}`;
    this.logger.error(`FIX logon refused: ${text}`);
    this.logoutNow(text);
    return false;
  }

  protected override onMsg(msgType: string, view: MsgView): void {
    // jspurefix keeps the venue's reason to its own verbose log; a refused Logon (unknown CompID,
    // "MsgSeqNum too low") needs an operator, so it is a warning in the venue's words. Read before
    // the sequence checks: a venue refusing a Logon may number its Logout from a fresh store.
    if (msgType === MsgType.Logout) {
      const text = view.getString(MsgTag.Text) ?? '';
      if (this.isReady) this.logger.log(`FIX venue logged us out: ${text}`);
      else this.logger.warn(`FIX venue refused our Logon: ${text}`);
    }
    super.onMsg(msgType, view);
  }

  protected override onSessionMsg(msgType: string, view: MsgView): void {
    if (msgType === MsgType.Reject) this.hooks.rejected(this, view);
    super.onSessionMsg(msgType, view);
  }

  protected override onAppSent(seq: number, msgType: string, body: Record<string, unknown>): void {
    this.hooks.sent(seq, msgType, body);
  }

  protected onSessionReady(): void {
    this.hooks.ready(this);
  }

  protected onSessionStopped(error?: Error): void {
    this.hooks.stopped(this, error);
  }

  /**
   * Accepted by sendApp but never encoded (the connection went down under it): the caller was
   * told it was sent, so it must reach the venue. Stamped with the next sequence number now, it
   * makes our next Logon's MsgSeqNum show a gap; the venue asks for it and gets it with
   * PossDupFlag=Y (and ignores it if it already knows the ClOrdID).
   */
  protected onUnsent(messages: UnsentMessage[]): void {
    for (const m of messages) this.fileStore()?.appendOffline(m.msgType, m.body);
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    this.hooks.application(this, msgType, view);
  }
}
