import { originAllowed } from './origin-policy';

describe('originAllowed', () => {
  const list = ['https://terminal.mstock.in'];

  it('allows listed origins and the same origin', () => {
    expect(originAllowed('https://terminal.mstock.in', 'api.mstock.in', list)).toBe(true);
    expect(originAllowed('http://localhost:3000', 'localhost:3000', [])).toBe(true);
  });

  it('refuses other sites, look-alikes, "null" and non-web schemes', () => {
    expect(originAllowed('https://evil.example', 'api.mstock.in', list)).toBe(false);
    expect(originAllowed('https://terminal.mstock.in.evil.example', 'api.mstock.in', list)).toBe(false);
    expect(originAllowed('http://localhost:3001', 'localhost:3000', [])).toBe(false);
    expect(originAllowed('null', 'localhost:3000', [])).toBe(false);
    expect(originAllowed('chrome-extension://abc', 'abc', [])).toBe(false);
  });

  it('lets clients without an Origin header through to the token check', () => {
    expect(originAllowed(undefined, 'localhost:3000', [])).toBe(true);
  });
});
