import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CLOCK, SystemClock } from './clock';
import { ExchangeCalendar, NSE_HOLIDAYS_2026 } from './exchange-calendar';

@Global()
@Module({
  providers: [
    { provide: CLOCK, useClass: SystemClock },
    {
      provide: ExchangeCalendar,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new ExchangeCalendar({ alwaysOpen: config.market.alwaysOpen, holidays: config.market.holidays ?? NSE_HOLIDAYS_2026 }),
    },
  ],
  exports: [CLOCK, ExchangeCalendar],
})
export class ClockModule {}
