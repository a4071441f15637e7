import { parseCredential } from './credentials';

describe('parseCredential', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

  it('reads JWTs and Kite tokens, with or without their HTTP scheme words', () => {
    expect(parseCredential(jwt)).toEqual({ kind: 'bearer', token: jwt });
    expect(parseCredential(`Bearer ${jwt}`)).toEqual({ kind: 'bearer', token: jwt });
    expect(parseCredential('abcd1234abcd1234:Zx-_9q')).toEqual({ kind: 'kite', apiKey: 'abcd1234abcd1234', accessToken: 'Zx-_9q' });
    expect(parseCredential('token abcd1234abcd1234:Zx')).toEqual({ kind: 'kite', apiKey: 'abcd1234abcd1234', accessToken: 'Zx' });
  });

  it('refuses what is neither', () => {
    for (const bad of [undefined, null, 42, {}, '', 'hello', 'a.b', 'a:b:c', `${jwt}.x`, 'x'.repeat(5000)]) {
      expect(parseCredential(bad)).toBeNull();
    }
  });
});
