import type { DepthLevel, QuoteSnapshot } from '../exchange-protocol/venue.types';
import type { WireDepthLevel, WireQuote } from './wire.types';
import { makeQuote } from './testing/quote-factory';

/**
 * Compile-time: the wire types and the simulator's types are the same shape, both ways. If a field
 * is added, removed or retyped on either side, `npx tsc --noEmit` fails on the lines below.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const quoteShapesEqual: Equal<WireQuote, QuoteSnapshot> = true;
const levelShapesEqual: Equal<WireDepthLevel, DepthLevel> = true;

describe('wire types', () => {
  it('are structurally identical to the simulator QuoteSnapshot / DepthLevel', () => {
    expect([quoteShapesEqual, levelShapesEqual]).toEqual([true, true]);
    const q: QuoteSnapshot = makeQuote(1);
    const back: WireQuote = q;
    expect(back).toBe(q);
  });
});
