import type { LoggerService } from '@nestjs/common';
import { MsgTag, type IJsFixConfig, type MsgView } from '../../../common/fix/jspurefix';
import { BusinessReject } from '../../../common/fix/fix-codes';
import { RecoveringFixSession, type UnsentMessage } from '../../../common/fix/recovering-fix-session';
import type { Venue } from '../venue.types';
import {
  businessReject,
  executionReport,
  MsgTypes,
  NO_SYMBOL,
  sessionReject,
  unknownOrderStatus,
  type FixMessage,
} from './fix-execution-reports';
import { parseCancel, parseNewOrder, parseReplace, parseStatusQuery, Tag, type FixFields, type FieldProblem } from './fix-order-requests';
import type { MemberChannel } from './member-channel';

/** Symbol(55) to echo on reports: the resolver if given, else what members last sent for the token. */
export class SymbolBook {
  private readonly learned = new Map<number, string>();

  constructor(private readonly resolve?: (instrumentToken: number) => string | undefined) {}

  learn(instrumentToken: number, symbol: string | undefined): void {
    if (symbol) this.learned.set(instrumentToken, symbol);
  }

  of(instrumentToken: number): string {
    return this.resolve?.(instrumentToken) ?? this.learned.get(instrumentToken) ?? NO_SYMBOL;
  }
}

export interface VenueSessionContext {
  venue: Venue;
  acceptorCompId: string;
  /** Null when the member may not log on; `refusal` says why. */
  channel: MemberChannel | null;
  refusal?: string;
  defaultHeartbeatSeconds: number;
  symbols: SymbolBook;
  logger: LoggerService;
}

const SUPPORTED = new Set<string>(['D', 'F', 'G', 'H']);

/** One member connection: FIX application messages in, Venue calls out. */
export class VenueFixSession extends RecoveringFixSession {
  constructor(
    config: IJsFixConfig,
    private readonly ctx: VenueSessionContext,
  ) {
    super(config);
  }

  private get memberId(): string {
    return this.peerCompId;
  }

  protected override onLogon(view: MsgView): boolean {
    if (this.ctx.channel === null) return this.refuse(this.ctx.refusal ?? 'unknown member');
    const target = view.getString(MsgTag.TargetCompID);
    if (target !== this.ctx.acceptorCompId) return this.refuse(`TargetCompID must be ${this.ctx.acceptorCompId}`);
    // FIX: both sides use the initiator's HeartBtInt. 0 ("none") would make jspurefix's liveness
    // check fire at once (it allows 2.5 x HeartBtInt of silence), so it falls back to ours.
    const asked = Number(view.getTyped(MsgTag.HeartBtInt));
    const seconds = asked >= 1 ? asked : this.ctx.defaultHeartbeatSeconds;
    (this.config.description as { HeartBtInt: number }).HeartBtInt = seconds; // echoed in our Logon
    (this.sessionState as unknown as { heartBeat: number }).heartBeat = seconds;
    this.sessionState.peerHeartBeatSecs = seconds;
    return true;
  }

  /** Our own Logout text (jspurefix's is a generic one), then the refusal it expects. */
  private refuse(text: string): false {
    this.ctx.logger.warn(`FIX logon refused for '${this.memberId}': ${text}`);
    this.logoutNow(text);
    return false;
  }

  protected onSessionReady(): void {
    this.ctx.logger.log(`FIX member '${this.memberId}' logged on`);
    this.ctx.channel?.ready(this);
  }

  protected onSessionStopped(error?: Error): void {
    this.ctx.logger.log(`FIX member '${this.memberId}' session ended${error ? `: ${error.message}` : ''}`);
  }

  protected onUnsent(messages: UnsentMessage[]): void {
    this.ctx.channel?.handBack(messages);
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    const seq = Number(view.getTyped(MsgTag.MsgSeqNum));
    try {
      this.handle(msgType, view, seq);
    } catch (err) {
      // A fault of ours must not take the member's session down with it.
      this.ctx.logger.error(`FIX ${msgType} seq ${seq} from '${this.memberId}' failed: ${(err as Error).stack ?? String(err)}`);
      this.reply(businessReject(seq, msgType, view.getString(Tag.ClOrdID) ?? undefined, BusinessReject.Other, 'internal error'));
    }
  }

  private handle(msgType: string, view: MsgView, seq: number): void {
    const get: FixFields = (tag) => view.getString(tag) ?? undefined;
    const { venue } = this.ctx;
    if (!SUPPORTED.has(msgType)) {
      return this.reply(businessReject(seq, msgType, undefined, BusinessReject.UnsupportedMessageType, `MsgType ${msgType} is not supported`));
    }
    if (!venue.ready) {
      return this.reply(businessReject(seq, msgType, get(Tag.ClOrdID), BusinessReject.ApplicationNotAvailable, 'venue is not accepting requests'));
    }
    const rejectField = (p: FieldProblem): void => this.reply(sessionReject(seq, msgType, p.tag, p.reason, p.text));
    // A retransmitted request (PossDupFlag=Y) is acted on only if its ClOrdID is new to the venue.
    const seen = (clOrdId: string): boolean => view.getTyped(MsgTag.PossDupFlag) === true && venue.status(this.memberId, clOrdId) !== null;
    switch (msgType) {
      case 'D': {
        const parsed = parseNewOrder(get, this.memberId);
        if (!parsed.ok) return rejectField(parsed.problem);
        if (seen(parsed.value.request.clOrdId)) return;
        this.ctx.symbols.learn(parsed.value.instrumentToken, parsed.value.symbol);
        return venue.submit(parsed.value.request);
      }
      case 'F': {
        const parsed = parseCancel(get, this.memberId);
        if (!parsed.ok) return rejectField(parsed.problem);
        if (seen(parsed.value.clOrdId)) return;
        return venue.cancel(parsed.value);
      }
      case 'G': {
        const parsed = parseReplace(get, this.memberId);
        if (!parsed.ok) return rejectField(parsed.problem);
        if (seen(parsed.value.clOrdId)) return;
        const { symbol, ...request } = parsed.value;
        const token = Number(get(Tag.SecurityID));
        if (Number.isSafeInteger(token)) this.ctx.symbols.learn(token, symbol);
        return venue.replace(request);
      }
      default: {
        const parsed = parseStatusQuery(get);
        if (!parsed.ok) return rejectField(parsed.problem);
        const report = venue.status(this.memberId, parsed.value.clOrdId);
        return this.reply(
          report ? executionReport(report, this.ctx.symbols.of(report.instrumentToken)) : unknownOrderStatus(parsed.value, Date.now()),
        );
      }
    }
  }

  private reply(message: FixMessage): void {
    if (message.msgType === MsgTypes.Reject) {
      this.send(message.msgType, message.body); // admin: gap-filled, not replayed, on resend
    } else if (!this.sendApp(message.msgType, message.body)) {
      this.ctx.channel?.deliver(message);
    }
  }
}
