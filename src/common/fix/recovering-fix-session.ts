import { AsciiSession, MsgTag, MsgType, SessionState, type IJsFixConfig, type MsgView } from './jspurefix';
import { FixFileSessionStore } from './fix-file-session-store';

const ADMIN_MSG_TYPES = new Set<string>(['0', '1', '2', '3', '4', '5', 'A']);

export interface UnsentMessage {
  msgType: string;
  body: Record<string, unknown>;
}

/**
 * jspurefix's AsciiSession with the recovery behaviour FIX 4.4 requires and 5.11.4 lacks
 * (each is written up in docs/fix.md):
 *  - ResendRequest is answered from our store: application messages again with PossDupFlag=Y and
 *    OrigSendingTime, admin messages and anything no longer kept as SequenceReset-GapFill. (The
 *    stock handler reads an in-memory store nothing writes to, so it gap-fills everything.)
 *  - a SequenceReset-GapFill never moves the expected incoming sequence number backwards;
 *  - any message from the peer proves it alive: an ExecutionReport overtaking the Heartbeat that
 *    answers our TestRequest no longer terminates the session;
 *  - a MsgSeqNum lower than expected without PossDupFlag gets a Logout saying so before the
 *    disconnect, instead of a silent hang-up.
 */
export abstract class RecoveringFixSession extends AsciiSession {
  private ready = false;
  private readonly inFlight = new Set<UnsentMessage>();

  protected constructor(config: IJsFixConfig) {
    super(config);
    // FixSession reports its end by emitting 'error', and only listens while run() is pending. A
    // stop after that (e.g. a socket closing after a Logout exchange: jspurefix leaves the state at
    // ConfirmingLogout, so stop() runs again) would throw an unhandled 'error' and kill the process.
    this.on('error', () => undefined);
  }

  get isReady(): boolean {
    return this.ready && this.transport !== null && this.getState() !== SessionState.Stopped;
  }

  /** The peer's identity as this session knows it (TargetCompID of what we send). */
  get peerCompId(): string {
    return this.config.description.TargetCompID;
  }

  /**
   * Sends an application message and keeps its body for resends. False when there is no live
   * connection to send on; the caller decides where the message goes instead.
   */
  sendApp(msgType: string, body: Record<string, unknown>): boolean {
    if (!this.isReady) return false;
    const entry: UnsentMessage = { msgType, body };
    this.inFlight.add(entry);
    this.send(msgType, body, (err, result) => {
      if (!this.inFlight.delete(entry)) return; // already handed back by onStopped
      const seq = result.header?.MsgSeqNum as number | undefined;
      if (err || seq === undefined) {
        // Never encoded (session went down under it): hand it back rather than lose it.
        this.onUnsent([entry]);
        return;
      }
      this.fileStore()?.attachBody(seq, body);
      this.onAppSent(seq, msgType, body);
    });
    return true;
  }

  /**
   * An application message went out under `seq`. A session-level Reject (3) or a
   * BusinessMessageReject (j) names what it refuses only by RefSeqNum, so a side that needs to
   * answer its caller (the broker's initiator) records the number here. No-op by default.
   */
  protected onAppSent(seq: number, msgType: string, body: Record<string, unknown>): void {
    void seq;
    void msgType;
    void body;
  }

  /** Logout with a reason, then disconnect without waiting for the peer's confirmation. */
  logoutNow(text: string): void {
    if (this.getState() === SessionState.Stopped) return;
    this.sendLogout(text);
    this.stop();
  }

  protected fileStore(): FixFileSessionStore | null {
    return this.sessionStore instanceof FixFileSessionStore ? this.sessionStore : null;
  }

  /** Next MsgSeqNum this session will stamp. */
  protected nextOutgoingSeqNum(): number {
    const transmitter = this.transport?.transmitter as unknown as { msgSeqNum?: number } | undefined;
    return transmitter?.msgSeqNum ?? this.sessionStore.senderSeqNum;
  }

  protected override onResendRequest(view: MsgView): void {
    const begin = Number(view.getTyped(MsgTag.BeginSeqNo));
    const requestedEnd = Number(view.getTyped(MsgTag.EndSeqNo));
    const last = this.nextOutgoingSeqNum() - 1;
    const end = requestedEnd === 0 || requestedEnd > last ? last : requestedEnd;
    if (!(begin >= 1) || begin > end) return;
    const stored = new Map((this.fileStore()?.range(begin, end) ?? []).map((r) => [r.seq, r]));
    let gapFrom: number | null = null;
    for (let seq = begin; seq <= end; seq++) {
      const record = stored.get(seq);
      if (record?.body && !ADMIN_MSG_TYPES.has(record.msgType)) {
        if (gapFrom !== null) this.sendGapFill(gapFrom, seq);
        gapFrom = null;
        const header = { MsgSeqNum: seq, PossDupFlag: true, SendingTime: new Date(record.sentAt) };
        this.send(record.msgType, { ...record.body, StandardHeader: header });
      } else {
        gapFrom ??= seq;
      }
    }
    if (gapFrom !== null) this.sendGapFill(gapFrom, end + 1);
  }

  private sendGapFill(seq: number, newSeqNo: number): void {
    // The transmitter turns SendingTime into OrigSendingTime on a PossDup message.
    const header = { MsgSeqNum: seq, PossDupFlag: true, SendingTime: new Date() };
    this.send(MsgType.SequenceReset, { GapFillFlag: true, NewSeqNo: newSeqNo, StandardHeader: header });
  }

  protected override onSessionMsg(msgType: string, view: MsgView): void {
    const before = this.sessionState.lastPeerMsgSeqNum;
    super.onSessionMsg(msgType, view);
    if (msgType === MsgType.SequenceReset) {
      // jspurefix sets "last seen" to NewSeqNo-1 even when that is behind what it already took
      // (a gap fill for an old range during recovery); the next message would look like a gap.
      this.sessionState.lastPeerMsgSeqNum = Math.max(before, this.sessionState.lastPeerMsgSeqNum);
    }
  }

  protected override checkForwardMsg(msgType: string, view: MsgView): void {
    switch (this.getState()) {
      case SessionState.AwaitingProcessingResponseToTestRequest:
      case SessionState.AwaitingProcessingResponseToResendRequest:
      case SessionState.HandleResendRequest:
        this.setState(SessionState.ActiveNormalSession);
        break;
      default:
        break;
    }
    super.checkForwardMsg(msgType, view);
  }

  protected override onMsg(msgType: string, view: MsgView): void {
    if (this.seqTooLow(msgType, view)) return;
    super.onMsg(msgType, view);
  }

  private seqTooLow(msgType: string, view: MsgView): boolean {
    if (msgType === MsgType.SequenceReset || view.getTyped(MsgTag.PossDupFlag) === true) return false;
    if (msgType === MsgType.Logon && view.getTyped(MsgTag.ResetSeqNumFlag) === true) return false;
    const seq = Number(view.getTyped(MsgTag.MsgSeqNum));
    const expected = this.sessionState.lastPeerMsgSeqNum + 1;
    if (!(seq < expected)) return false;
    const text = `MsgSeqNum too low, expecting ${expected} but received ${seq}`;
    this.sessionLogger.warning(text);
    this.logoutNow(text);
    return true;
  }

  protected override onReady(view: MsgView): void {
    this.ready = true;
    this.onSessionReady(view);
  }

  protected override onStopped(error?: Error): void {
    this.ready = false;
    const unsent = [...this.inFlight];
    this.inFlight.clear();
    if (unsent.length > 0) this.onUnsent(unsent);
    this.onSessionStopped(error);
  }

  protected override onDecoded(): void {
    // The wire log is the store; nothing more to write per message.
  }

  protected override onEncoded(): void {
    // As above.
  }

  /** Logon complete: application messages may flow. */
  protected abstract onSessionReady(view: MsgView): void;
  protected abstract onSessionStopped(error?: Error): void;
  /** Application messages accepted by sendApp that never made it onto this connection. */
  protected abstract onUnsent(messages: UnsentMessage[]): void;
}
