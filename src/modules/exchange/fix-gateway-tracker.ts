import type { VenueMessage } from '../../common/exchange-protocol/venue.types';
import type { OrderFacts } from './fix-gateway-facts';
import { FixMsgType } from './fix-gateway-outbound';

/** An application message we sent, as a Reject (3) or BusinessMessageReject (j) can name it. */
export interface SentRequest {
  seq: number;
  msgType: string;
  clOrdId: string;
  origClOrdId?: string;
}

export class AnswerTimeoutError extends Error {}

/** Enough for any Reject to find its request: the venue answers within seconds, we send far fewer per second. */
const KEPT_SEQS = 10_000;

/**
 * Round trips in flight: which ClOrdIDs still wait for the venue's first word (for the circuit
 * breaker), and which MsgSeqNum each request went out under (for refusals that name only that).
 */
export class FixRequestTracker {
  private readonly waiting = new Map<string, { settle: () => void; timer: NodeJS.Timeout }>();
  private readonly seqs = new Map<number, SentRequest>();

  constructor(private readonly answerTimeoutMs: number) {}

  /** Resolves when the venue answers `clOrdId`; rejects with AnswerTimeoutError after the timeout. */
  expect(clOrdId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(clOrdId);
        reject(new AnswerTimeoutError(`no answer from the venue within ${this.answerTimeoutMs} ms`));
      }, this.answerTimeoutMs);
      this.waiting.get(clOrdId)?.settle(); // a second request under one ClOrdID: the first stops waiting
      this.waiting.set(clOrdId, {
        timer,
        settle: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  answered(clOrdId: string): void {
    const entry = this.waiting.get(clOrdId);
    if (!entry) return;
    this.waiting.delete(clOrdId);
    entry.settle();
  }

  sent(seq: number, msgType: string, body: Record<string, unknown>): void {
    if (typeof body.ClOrdID !== 'string') return;
    const origClOrdId = typeof body.OrigClOrdID === 'string' ? body.OrigClOrdID : undefined;
    this.seqs.set(seq, { seq, msgType, clOrdId: body.ClOrdID, origClOrdId });
    if (this.seqs.size > KEPT_SEQS) this.seqs.delete(this.seqs.keys().next().value as number);
  }

  bySeq(seq: number): SentRequest | undefined {
    return this.seqs.get(seq);
  }

  /** Stop waiting (shutdown): nothing is counted for or against the link any more. */
  clear(): void {
    for (const clOrdId of [...this.waiting.keys()]) this.answered(clOrdId);
    this.seqs.clear();
  }

  /**
   * The venue refused a request without processing it (Reject or BusinessMessageReject), so the
   * order is as if never sent: a NewOrderSingle becomes a REJECTED report (the broker releases the
   * margin), a cancel or replace a CancelReject (the order stands). Status requests: nothing.
   */
  refusal(request: SentRequest, ctx: { reasonCode: string; text: string; facts?: OrderFacts; memberId: string; now: number }): VenueMessage | null {
    const { reasonCode, text, memberId, now } = ctx;
    if (request.msgType === FixMsgType.NewOrderSingle && ctx.facts) {
      const { instrumentToken, side, orderType, validity, quantity } = ctx.facts;
      return {
        kind: 'execution',
        memberId,
        clOrdId: request.clOrdId,
        exchangeOrderId: '',
        execId: `refused-${request.seq}`,
        execType: 'REJECTED',
        orderStatus: 'REJECTED',
        instrumentToken,
        side,
        orderType,
        validity,
        quantity,
        cumQuantity: 0,
        leavesQuantity: 0,
        averagePrice: 0,
        reasonCode,
        text,
        transactTime: now,
      };
    }
    if ((request.msgType === FixMsgType.OrderCancelRequest || request.msgType === FixMsgType.OrderCancelReplaceRequest) && request.origClOrdId) {
      return {
        kind: 'cancel_reject',
        memberId,
        clOrdId: request.clOrdId,
        origClOrdId: request.origClOrdId,
        responseTo: request.msgType === FixMsgType.OrderCancelRequest ? 'CANCEL' : 'REPLACE',
        reasonCode,
        text,
        transactTime: now,
      };
    }
    return null;
  }
}
