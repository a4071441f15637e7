import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  const claims = (exp: number | undefined) => ({ sub: 'u1', sid: 's1', typ: 'access' as const, exp });

  it('recalls a token until its exp, then forgets it', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t1', claims(1_000));
    expect(tokens.recall('t1', 999_999)).toEqual(claims(1_000));
    expect(tokens.recall('t1', 1_000_000)).toBeUndefined();
    expect(tokens.recall('t1', 0)).toBeUndefined(); // gone, not just hidden
    expect(tokens.recall('t2', 0)).toBeUndefined();
  });

  it('never keeps a token without an expiry', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t1', claims(undefined));
    expect(tokens.recall('t1', 0)).toBeUndefined();
  });

  it('holds at most 50,000 tokens, dropping the oldest first', () => {
    const tokens = new VerifiedTokens();
    for (let i = 0; i <= 50_000; i++) tokens.remember(`t${i}`, claims(10));
    expect(tokens.recall('t0', 0)).toBeUndefined();
    expect(tokens.recall('t1', 0)).toBeDefined();
    expect(tokens.recall('t50000', 0)).toBeDefined();
  });
});
