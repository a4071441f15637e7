import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { crc32 } from './crc32';

describe('crc32', () => {
  it('matches the standard check value and known vectors', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('agrees with zlib.crc32 on every length around the 8-byte stride, at any start offset', () => {
    const data = randomBytes(300);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= data.length; end += 1 + (end % 7)) {
        expect(crc32(data, start, end)).toBe(zlib.crc32(data.subarray(start, end)));
      }
    }
  });

  it('continues from a seed like zlib does', () => {
    const data = randomBytes(1000);
    expect(crc32(data, 600, 1000, crc32(data, 0, 600))).toBe(zlib.crc32(data));
  });
});
