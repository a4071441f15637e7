import Big from 'big.js';
import { ValueTransformer } from 'typeorm';
import { InputError } from '../errors/domain-error';

/**
 * Money is integer paise inside the platform. Rupees (decimals with at most 2 places) exist
 * only at the API edge, converted here and nowhere else.
 */
export type Paise = number;

const RUPEES = /^-?\d{1,13}(\.\d{1,2})?$/;

/** Parses a rupee amount exactly ("1234.5" → 123450). Rejects more than 2 decimals, NaN, exponents. */
export function rupeesToPaise(value: string | number, field = 'amount'): Paise {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'NaN') : value.trim();
  if (!RUPEES.test(text)) throw new InputError(`${field} must be a rupee amount with at most 2 decimal places`, 'INPUT.AMOUNT');
  const paise = new Big(text).times(100).toNumber();
  if (!Number.isSafeInteger(paise)) throw new InputError(`${field} is out of range`, 'INPUT.AMOUNT');
  return paise;
}

/**
 * For responses: integer paise → rupees as a JSON number. Plain division is exact here: IEEE
 * division is correctly rounded, so `paise / 100` is the double nearest to the decimal — the same
 * double that parsing "1234.55" gives, which JSON prints as 1234.55 (property-tested against big.js;
 * 2 places survive up to ₹10 trillion, past which a double has no room for paise). It runs
 * several times per order update, where big.js cost 1.5% of the app's CPU under load.
 */
export function paiseToRupees(paise: Paise): number {
  // Fractional paise would be a bug upstream; a response still shows them rounded to 2 places.
  return Number.isSafeInteger(paise) ? paise / 100 : Number(new Big(paise).div(100).toFixed(2));
}

export enum Rounding {
  Down = 0,
  HalfUp = 1,
  HalfEven = 2,
  Up = 3,
}

/** `paise × numerator / denominator`, rounded as the caller states (margins round up, averages half-even). */
export function ratioOf(paise: Paise, numerator: number | string, denominator: number | string, rounding: Rounding): Paise {
  const result = new Big(paise).times(numerator).div(denominator).round(0, rounding as unknown as Big.RoundingMode).toNumber();
  assertSafePaise(result);
  return result;
}

export function assertSafePaise(value: number, what = 'amount'): asserts value is Paise {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} is not a safe integer number of paise: ${value}`);
}

/**
 * TypeORM transformer for bigint paise columns: pg returns int8 as a string; we want a
 * number, and refuse silently losing precision beyond 2^53.
 */
export const paiseColumn: ValueTransformer = {
  to: (value: Paise | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null || value === undefined) return value;
    const n = Number(value);
    assertSafePaise(n, 'bigint column');
    return n;
  },
};
