import type { DepthLevel, QuoteSnapshot } from '../exchange-protocol/venue.types';

/**
 * What the binary feed carries, as JavaScript values: exactly the venue contract's quote, so the
 * two cannot drift. Prices are integer paise, quantities integers, times epoch ms.
 */
export type WireDepthLevel = DepthLevel;
export type WireQuote = QuoteSnapshot;

/** The frame's message type (header byte 3). */
export const MessageType = {
  /** Body: packetCount fixed-size quote packets. Inside SNAPSHOT_BEGIN..END they are the snapshot. */
  QUOTE_BATCH: 1,
  /** Empty body; sent when a connection had no other frame for heartbeatMs. */
  HEARTBEAT: 2,
  /** Body: uint32 number of instruments the snapshot will carry. */
  SNAPSHOT_BEGIN: 3,
  /** Body: uint32 number of instruments the snapshot carried. */
  SNAPSHOT_END: 4,
  /** Body: uint8 reason + 3 reserved bytes; the server is closing this connection on purpose. */
  SESSION_END: 5,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const SessionEndReason = {
  /** The publisher is stopping (restart, deploy); reconnect and expect a fresh snapshot. */
  SHUTDOWN: 1,
} as const;

export interface SequenceGap {
  expected: number;
  received: number;
}

interface FrameBase {
  sequence: number;
  /** Publisher's clock when the frame was encoded (epoch ms). */
  sendTime: number;
  /** Present when this frame's sequence was not the previous one + 1: frames were lost. */
  gap?: SequenceGap;
}

export interface QuoteBatchFrame extends FrameBase {
  type: typeof MessageType.QUOTE_BATCH;
  quotes: WireQuote[];
}
export interface HeartbeatFrame extends FrameBase {
  type: typeof MessageType.HEARTBEAT;
}
export interface SnapshotMarkerFrame extends FrameBase {
  type: typeof MessageType.SNAPSHOT_BEGIN | typeof MessageType.SNAPSHOT_END;
  instrumentCount: number;
}
export interface SessionEndFrame extends FrameBase {
  type: typeof MessageType.SESSION_END;
  reason: number;
}
export type FeedFrame = QuoteBatchFrame | HeartbeatFrame | SnapshotMarkerFrame | SessionEndFrame;

/** What to encode: the body-defining part of a frame; the header stamp comes separately. */
export type FrameBody =
  | { type: typeof MessageType.QUOTE_BATCH; quotes: readonly WireQuote[]; from?: number; to?: number }
  | { type: typeof MessageType.HEARTBEAT }
  | { type: typeof MessageType.SNAPSHOT_BEGIN | typeof MessageType.SNAPSHOT_END; instrumentCount: number }
  | { type: typeof MessageType.SESSION_END; reason: number };

export type OutgoingFrame = FrameBody & { sequence: number; sendTime: number };
