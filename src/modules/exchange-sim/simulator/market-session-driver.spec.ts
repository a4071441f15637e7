import { ManualClock } from '../../../common/clock/clock';
import { ExchangeCalendar, MarketPhase } from '../../../common/clock/exchange-calendar';
import { istDateTime } from '../../../common/clock/ist';
import { MarketSessionDriver, type MarketStatus } from './market-session-driver';
import { ACME, delivered, inbox, order, reports, simulator, stopSimulators } from './testing/sim-fixtures';

const at = (date: string, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return istDateTime(date, h, m);
};

function day(options: { alwaysOpen?: boolean; start?: number } = {}) {
  const clock = new ManualClock(options.start ?? at('2026-11-26', '08:59')); // a Thursday
  const { sim } = simulator({ clock });
  const calendar = new ExchangeCalendar({ alwaysOpen: options.alwaysOpen ?? false, holidays: ['2026-11-24'] });
  const driver = new MarketSessionDriver({ venue: sim, clock, calendar });
  const changes: MarketStatus[] = [];
  driver.onChange((s) => changes.push(s));
  sim.start();
  return { sim, clock, driver, changes, m1: inbox(sim, 'M1'), m2: inbox(sim, 'M2') };
}

let stopDriver: (() => void) | null = null;
afterEach(() => {
  stopDriver?.();
  stopDriver = null;
  stopSimulators();
});

describe('MarketSessionDriver (IST exchange calendar)', () => {
  it('runs a trading day: closed, pre-open, auction open, continuous, close with DAY orders expired', async () => {
    const { sim, clock, driver, changes, m1, m2 } = day();
    expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.Closed, session: 'CLOSED', orderEntryOpen: false, date: '2026-11-26' });
    expect(sim.session).toBe('CLOSED');
    sim.submit(order({ clOrdId: 'EARLY', side: 'BUY' }));

    clock.set(at('2026-11-26', '09:00'));
    expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.PreOpen, session: 'PRE_OPEN', exchangeTime: '2026-11-26T09:00:00.000+05:30' });
    sim.submit(order({ clOrdId: 'PB', side: 'BUY', quantity: 10, price: 115_100 }));
    sim.submit(order({ memberId: 'M2', clOrdId: 'PS', side: 'SELL', quantity: 15, price: 115_050 }));
    sim.submit(order({ clOrdId: 'PIOC', side: 'BUY', validity: 'IOC' }));

    clock.set(at('2026-11-26', '09:08'));
    expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.PreOpenMatch, session: 'PRE_OPEN', orderEntryOpen: false });
    sim.submit(order({ clOrdId: 'LATE', side: 'BUY' }));
    sim.cancel({ memberId: 'M2', clOrdId: 'PSX', origClOrdId: 'PS' });

    clock.set(at('2026-11-26', '09:15'));
    expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.Continuous, session: 'CONTINUOUS', orderEntryOpen: true });
    // Buy 10 @ 1151.00 against sell 15 @ 1150.50: both prices execute 10, imbalance 5 either way,
    // 1150.50 is nearer the previous close (1150.00): the opening price.
    expect(sim.snapshot(ACME.instrumentToken)).toMatchObject({ open: 115_050, lastPrice: 115_050, volume: 10, high: 115_050, low: 115_050 });
    sim.submit(order({ clOrdId: 'DAY', side: 'BUY', quantity: 3, price: 114_000 }));

    clock.set(at('2026-11-26', '15:30'));
    expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.PostClose, session: 'CLOSED' });
    sim.submit(order({ clOrdId: 'AFTER', side: 'BUY' }));
    await delivered();

    const m1Reports = reports(m1).map((r) => [r.clOrdId, r.execType, r.reasonCode]);
    expect(m1Reports).toEqual([
      ['EARLY', 'REJECTED', 'MARKET_CLOSED'],
      ['PB', 'NEW', undefined],
      ['PIOC', 'REJECTED', 'NOT_ALLOWED_IN_SESSION'],
      ['LATE', 'REJECTED', 'NOT_ALLOWED_IN_SESSION'],
      ['PB', 'FILL', undefined],
      ['DAY', 'NEW', undefined],
      ['DAY', 'EXPIRED', 'DAY_EXPIRY'],
      ['AFTER', 'REJECTED', 'MARKET_CLOSED'],
    ]);
    expect(reports(m1)[3].text).toBe('Order entry is closed during pre-open matching (09:08–09:15 IST)');
    expect(reports(m1)[6]).toMatchObject({ orderStatus: 'EXPIRED', leavesQuantity: 0 });
    expect(m2.map((m) => [m.clOrdId, m.kind === 'execution' ? m.execType : m.reasonCode])).toEqual([
      ['PS', 'NEW'],
      ['PSX', 'NOT_ALLOWED_IN_SESSION'],
      ['PS', 'PARTIAL_FILL'],
      ['PS', 'EXPIRED'], // its unfilled 5 expire at the close
    ]);
    expect(changes.map((c) => c.phase)).toEqual(['CLOSED', 'PRE_OPEN', 'PRE_OPEN_MATCH', 'CONTINUOUS', 'POST_CLOSE']);
    expect(sim.liveOrderCount).toBe(0);
  });

  it('stays closed on weekends and holidays, and starts a new day’s statistics at the next open', () => {
    const { sim, clock, driver } = day({ start: at('2026-11-26', '10:00') });
    driver.syncNow();
    sim.submit(order({ side: 'BUY', quantity: 4 }));
    sim.submit(order({ memberId: 'M2', side: 'SELL', quantity: 4 }));
    expect(sim.snapshot(ACME.instrumentToken)?.volume).toBe(4);
    for (const [date, time] of [['2026-11-28', '10:00'], ['2026-11-29', '12:00'], ['2026-11-24', '10:00']]) {
      clock.set(at(date, time));
      expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.Closed, session: 'CLOSED' });
      expect(sim.session).toBe('CLOSED');
    }
    expect(sim.snapshot(ACME.instrumentToken)?.volume).toBe(4); // yesterday's figures until the next open
    clock.set(at('2026-11-30', '09:00')); // Monday
    driver.syncNow();
    expect(sim.session).toBe('PRE_OPEN');
    expect(sim.snapshot(ACME.instrumentToken)).toMatchObject({ volume: 0, open: 0, lastPrice: 115_000 });
  });

  it('closes the old day first when the clock jumps from one session into the next day', async () => {
    const { sim, clock, driver, m1 } = day({ start: at('2026-11-26', '11:00') });
    driver.syncNow();
    sim.submit(order({ clOrdId: 'STALE', side: 'BUY', price: 114_000 }));
    clock.set(at('2026-11-27', '09:01'));
    driver.syncNow();
    await delivered();
    expect(reports(m1).map((r) => r.execType)).toEqual(['NEW', 'EXPIRED']);
    expect(sim.session).toBe('PRE_OPEN');
  });

  it('is continuous around the clock in always-open mode, resetting the day at IST midnight', async () => {
    const { sim, clock, driver } = day({ alwaysOpen: true, start: at('2026-11-28', '23:00') }); // Saturday night
    expect(driver.syncNow()).toMatchObject({ phase: MarketPhase.Continuous, session: 'CONTINUOUS', alwaysOpen: true });
    sim.submit(order({ side: 'BUY', quantity: 2, price: 115_000 }));
    sim.submit(order({ clOrdId: 'KEEP', memberId: 'M2', side: 'SELL', quantity: 5, price: 115_000 }));
    clock.set(at('2026-11-29', '00:01'));
    driver.syncNow();
    expect(sim.session).toBe('CONTINUOUS');
    expect(sim.snapshot(ACME.instrumentToken)).toMatchObject({ volume: 0, totalSellQuantity: 3 });
    expect(sim.status('M2', 'KEEP')).toMatchObject({ orderStatus: 'PARTIALLY_FILLED' }); // no expiry without a close
  });

  it('checks the clock on a timer once started', async () => {
    const { sim, clock, driver } = day();
    const timed = new MarketSessionDriver({ venue: sim, clock, calendar: new ExchangeCalendar({ alwaysOpen: false, holidays: [] }), checkIntervalMs: 5 });
    timed.start();
    stopDriver = () => timed.stop();
    expect(sim.session).toBe('CLOSED');
    clock.set(at('2026-11-26', '09:20'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sim.session).toBe('CONTINUOUS');
    expect(driver.marketStatus().phase).toBe(MarketPhase.Continuous);
  });
});
