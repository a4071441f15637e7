import { ApiProperty } from '@nestjs/swagger';
import { MarketPhase } from '../../../common/clock/exchange-calendar';
import { SessionState } from '../engine';
import type { MarketStatus } from '../simulator/market-session-driver';

/** The market's phase at the API edge, exchange time in IST. */
export class MarketStatusDto {
  @ApiProperty({ enum: MarketPhase, description: 'Calendar phase: PRE_OPEN 09:00–09:08, PRE_OPEN_MATCH 09:08–09:15, CONTINUOUS 09:15–15:30 IST' })
  phase!: MarketPhase;
  @ApiProperty({ enum: Object.values(SessionState), description: "The exchange's matching session" }) session!: SessionState;
  @ApiProperty({ description: 'Orders, modifications and cancellations are accepted now' }) order_entry_open!: boolean;
  @ApiProperty({ example: '2026-11-26', description: 'Trading date in IST' }) date!: string;
  @ApiProperty({ example: '2026-11-26T09:15:00.000+05:30', description: 'Exchange time, ISO 8601 in IST' }) exchange_time!: string;
  @ApiProperty({ example: 'Asia/Kolkata' }) time_zone!: string;
  @ApiProperty({ description: 'Demo clock: continuous trading around the clock' }) always_open!: boolean;

  static from(s: MarketStatus): MarketStatusDto {
    return {
      phase: s.phase,
      session: s.session,
      order_entry_open: s.orderEntryOpen,
      date: s.date,
      exchange_time: s.exchangeTime,
      time_zone: s.timeZone,
      always_open: s.alwaysOpen,
    };
  }
}
