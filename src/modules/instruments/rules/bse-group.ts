import type { BseGroup, NseSeries } from '../instrument';

/**
 * A plausible BSE group for a company we only know from NSE's list: large caps (NIFTY 50)
 * in A, trade-for-trade (NSE BE) in T, non-compliant (NSE BZ) in Z, everything else in B.
 */
export function bseGroupFor(nseSeries: NseSeries, isNifty50: boolean): BseGroup {
  if (nseSeries === 'BZ') return 'Z';
  if (nseSeries === 'BE') return 'T';
  return isNifty50 ? 'A' : 'B';
}
