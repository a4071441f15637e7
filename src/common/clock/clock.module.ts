import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock, CLOCK, SystemClock } from './clock';
import { ExchangeCalendar, NSE_HOLIDAYS_2026 } from './exchange-calendar';

@Global()
@Module({})
export class ClockModule {
  /** Tests (and the demo) may hand in their own clock; production uses the system clock. */
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ClockModule,
      providers: [
        { provide: CLOCK, useValue: clock },
        {
          provide: ExchangeCalendar,
          inject: [AppConfig],
          useFactory: (config: AppConfig) =>
            new ExchangeCalendar({ alwaysOpen: config.market.alwaysOpen, holidays: config.market.holidays ?? NSE_HOLIDAYS_2026 }),
        },
      ],
      exports: [CLOCK, ExchangeCalendar],
    };
  }
}
