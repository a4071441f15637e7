import { parseInstrumentRequest, resolveRefs } from './subscription-request';

describe('subscription requests', () => {
  it('accepts refs and tokens with a mode, defaulting to quote', () => {
    expect(parseInstrumentRequest('subscribe', { instruments: ['NSE:INFY', 408065] }, 10)).toEqual({
      ok: true,
      request: { mode: 'quote', refs: ['NSE:INFY', 408065], invalid: [] },
    });
    expect(parseInstrumentRequest('subscribe', { instruments: [], mode: 'full' }, 10)).toMatchObject({ ok: true, request: { mode: 'full' } });
  });

  it('refuses wrong shapes, unknown modes and oversized lists as a whole', () => {
    for (const payload of [null, 'NSE:INFY', [1], { instruments: 'NSE:INFY' }, { instruments: [1], mode: 'tick' }]) {
      expect(parseInstrumentRequest('subscribe', payload, 10)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', event: 'subscribe' } });
    }
    expect(parseInstrumentRequest('subscribe', { instruments: new Array(11).fill(1) }, 10)).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_INSTRUMENTS' },
    });
  });

  it('sets aside elements of the wrong type and serves the rest', () => {
    const r = parseInstrumentRequest('unsubscribe', { instruments: [1, -2, 1.5, {}, '', 'x'.repeat(49), 'BSE:TCS'] }, 10);
    expect(r).toEqual({ ok: true, request: { mode: 'quote', refs: [1, 'BSE:TCS'], invalid: [-2, 1.5, {}, '', 'x'.repeat(49)] } });
  });

  it('resolves through the instrument master, once per token', () => {
    const infy = { instrumentToken: 408065, exchange: 'NSE', tradingsymbol: 'INFY' };
    const lookup = (ref: string | number) => (ref === 'NSE:INFY' || ref === 408065 ? infy : undefined);
    expect(resolveRefs(['NSE:INFY', 408065, 'NSE:NOPE'], lookup)).toEqual({
      resolved: [{ ref: 'NSE:INFY', token: 408065, key: 'NSE:INFY' }],
      unknown: ['NSE:NOPE'],
    });
  });
});
