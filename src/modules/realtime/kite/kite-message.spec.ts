import { parseKiteMessage } from './kite-message';

describe('parseKiteMessage', () => {
  it('reads the three commands KiteTicker sends', () => {
    expect(parseKiteMessage('{"a":"subscribe","v":[408065,"884737"]}', 10)).toEqual({ ok: true, command: { action: 'subscribe', tokens: [408065, 884737] } });
    expect(parseKiteMessage('{"a":"unsubscribe","v":[1]}', 10)).toEqual({ ok: true, command: { action: 'unsubscribe', tokens: [1] } });
    expect(parseKiteMessage('{"a":"mode","v":["full",[1,2]]}', 10)).toEqual({ ok: true, command: { action: 'mode', mode: 'full', tokens: [1, 2] } });
  });

  it('explains what is wrong with anything else', () => {
    expect(parseKiteMessage('nope', 10)).toEqual({ ok: false, error: 'message is not JSON' });
    expect(parseKiteMessage('{"a":"subscribe","v":"1"}', 10)).toMatchObject({ ok: false });
    expect(parseKiteMessage('{"a":"subscribe","v":[1.5]}', 10)).toMatchObject({ ok: false, error: expect.stringMatching(/invalid instrument token/) });
    expect(parseKiteMessage('{"a":"mode","v":["tick",[1]]}', 10)).toMatchObject({ ok: false });
    expect(parseKiteMessage(JSON.stringify({ a: 'subscribe', v: new Array(11).fill(1) }), 10)).toMatchObject({ ok: false, error: 'at most 10 instruments per connection' });
    expect(parseKiteMessage('{"a":"hack"}', 10)).toMatchObject({ ok: false, error: expect.stringMatching(/unknown action/) });
    expect(parseKiteMessage('null', 10)).toMatchObject({ ok: false });
  });
});
