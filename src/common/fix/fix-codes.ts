import type { ExecType, VenueOrderStatus, VenueOrderType, VenueSide, VenueValidity } from '../exchange-protocol/venue.types';

/**
 * FIX 4.4 code tables as the platform uses them, shared by the simulator's acceptor and the
 * broker's initiator so both ends read one table. Keys are the Venue contract's vocabulary
 * (`satisfies` makes the compiler name any value left unmapped), values the FIX enum on the wire.
 */

export const FIX_SIDE = { BUY: '1', SELL: '2' } as const satisfies Record<VenueSide, string>;

/** OrdType(40): SL-M is a stop (3), SL a stop-limit (4). */
export const FIX_ORD_TYPE = { MARKET: '1', LIMIT: '2', 'SL-M': '3', SL: '4' } as const satisfies Record<VenueOrderType, string>;

/** TimeInForce(59); absent on the wire means Day. */
export const FIX_TIME_IN_FORCE = { DAY: '0', IOC: '3' } as const satisfies Record<VenueValidity, string>;

/** ExecType(150): partial and full fills are both Trade (F); OrdStatus tells them apart. */
export const FIX_EXEC_TYPE = {
  NEW: '0',
  PARTIAL_FILL: 'F',
  FILL: 'F',
  CANCELED: '4',
  REPLACED: '5',
  REJECTED: '8',
  TRIGGERED: 'L',
  EXPIRED: 'C',
  ORDER_STATUS: 'I',
} as const satisfies Record<ExecType, string>;

/** OrdStatus(39). */
export const FIX_ORD_STATUS = {
  NEW: '0',
  PARTIALLY_FILLED: '1',
  FILLED: '2',
  CANCELED: '4',
  REJECTED: '8',
  EXPIRED: 'C',
} as const satisfies Record<VenueOrderStatus, string>;

/** CxlRejResponseTo(434). */
export const FIX_CXL_REJ_RESPONSE_TO = { CANCEL: '1', REPLACE: '2' } as const satisfies Record<'CANCEL' | 'REPLACE', string>;

/** SecurityIDSource(22) under which SecurityID(48) carries the platform's instrument token. */
export const SECURITY_ID_SOURCE_EXCHANGE_SYMBOL = '8';

/** SessionRejectReason(373) values this platform sends. */
export const SessionReject = {
  RequiredTagMissing: 1,
  ValueIsIncorrect: 5,
  IncorrectDataFormat: 6,
  Other: 99,
} as const;

/** BusinessRejectReason(380) values this platform sends. */
export const BusinessReject = {
  Other: 0,
  UnsupportedMessageType: 3,
  ApplicationNotAvailable: 4,
} as const;

/** The platform value whose FIX code is `code`, or undefined (first match, for FILL/PARTIAL_FILL). */
export function fromFixCode<K extends string>(table: Readonly<Record<K, string>>, code: string | null | undefined): K | undefined {
  if (code == null) return undefined;
  return (Object.keys(table) as K[]).find((key) => table[key] === code);
}
