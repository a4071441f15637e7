/** India has no daylight saving: IST is UTC+05:30 all year, so the offset is a constant. */
export const IST_OFFSET_MS = 330 * 60_000;
export const EXCHANGE_TIME_ZONE = 'Asia/Kolkata';

export interface IstParts {
  /** YYYY-MM-DD in IST. */
  date: string;
  /** Minutes since IST midnight. */
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday, in IST. */
  weekday: number;
}

export function istParts(epochMs: number): IstParts {
  const shifted = new Date(epochMs + IST_OFFSET_MS);
  return {
    date: shifted.toISOString().slice(0, 10),
    minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

/** Epoch ms of an IST wall-clock time on an IST date. */
export function istDateTime(date: string, hour: number, minute = 0): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d, hour, minute) - IST_OFFSET_MS;
}

/** ISO 8601 with the +05:30 offset, as Kite prints exchange timestamps. */
export function toIstIso(epochMs: number): string {
  return new Date(epochMs + IST_OFFSET_MS).toISOString().replace('Z', '+05:30');
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
