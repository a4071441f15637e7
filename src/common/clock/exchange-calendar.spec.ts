import { ExchangeCalendar, MarketPhase } from './exchange-calendar';
import { istDateTime, istParts, toIstIso } from './ist';

const nse = new ExchangeCalendar({ holidays: ['2026-10-02'], alwaysOpen: false });

describe('IST helpers', () => {
  it('converts epoch to IST wall clock with the +05:30 offset', () => {
    const t = Date.UTC(2026, 10, 26, 3, 45); // 03:45 UTC = 09:15 IST
    expect(istParts(t)).toEqual({ date: '2026-11-26', minuteOfDay: 9 * 60 + 15, weekday: 4 });
    expect(toIstIso(t)).toBe('2026-11-26T09:15:00.000+05:30');
    expect(istDateTime('2026-11-26', 9, 15)).toBe(t);
  });

  it('rolls the IST date over before UTC midnight', () => {
    expect(istParts(Date.UTC(2026, 10, 26, 19, 0)).date).toBe('2026-11-27'); // 00:30 IST next day
  });
});

describe('ExchangeCalendar (NSE cash market, IST)', () => {
  it.each([
    ['08:59', MarketPhase.Closed],
    ['09:00', MarketPhase.PreOpen],
    ['09:07', MarketPhase.PreOpen],
    ['09:08', MarketPhase.PreOpenMatch],
    ['09:14', MarketPhase.PreOpenMatch],
    ['09:15', MarketPhase.Continuous],
    ['15:29', MarketPhase.Continuous],
    ['15:30', MarketPhase.PostClose],
    ['16:00', MarketPhase.Closed],
  ])('on a Thursday at %s IST the phase is %s', (hhmm, phase) => {
    const [h, m] = hhmm.split(':').map(Number);
    expect(nse.phaseAt(istDateTime('2026-11-26', h, m))).toBe(phase);
  });

  it('is closed on weekends and holidays', () => {
    expect(nse.phaseAt(istDateTime('2026-11-28', 10))).toBe(MarketPhase.Closed); // Saturday
    expect(nse.phaseAt(istDateTime('2026-10-02', 10))).toBe(MarketPhase.Closed); // holiday
  });

  it('settles T+1 on the next trading day, skipping weekends and holidays', () => {
    expect(nse.settlementDate('2026-11-26')).toBe('2026-11-27');
    expect(nse.settlementDate('2026-11-27')).toBe('2026-11-30'); // Friday → Monday
    expect(nse.settlementDate('2026-10-01')).toBe('2026-10-05'); // Thursday, Friday holiday
  });

  it('expires Kite tokens at the next 06:00 IST', () => {
    expect(nse.nextSixAmIst(istDateTime('2026-11-26', 10))).toBe(istDateTime('2026-11-27', 6));
    expect(nse.nextSixAmIst(istDateTime('2026-11-26', 5, 59))).toBe(istDateTime('2026-11-26', 6));
  });

  it('is always in continuous trading in demo mode', () => {
    const demo = new ExchangeCalendar({ holidays: [], alwaysOpen: true });
    expect(demo.phaseAt(istDateTime('2026-11-28', 23))).toBe(MarketPhase.Continuous);
  });
});
