import { Inject, Injectable } from '@nestjs/common';
import { Clock, CLOCK } from '../../common/clock/clock';
import { ExchangeCalendar } from '../../common/clock/exchange-calendar';
import type { FeedStatus, MarketPhaseName, MarketStatus } from '../../sdk/protocol';

/** What a new connection is told first: the market phase and whether prices are stale. */
@Injectable()
export class RealtimeState {
  feed: FeedStatus = { stale: false, since: 0 };

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendar: ExchangeCalendar,
  ) {}

  marketStatus(): MarketStatus {
    const at = this.clock.now();
    // MarketPhase's values are the protocol's names; the assignment keeps the two in step.
    const phase: MarketPhaseName = this.calendar.phaseAt(at);
    return { phase, at };
  }
}
