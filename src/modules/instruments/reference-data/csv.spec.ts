import { parseCsvRows, readCsvRecords } from './csv';

describe('parseCsvRows', () => {
  it('splits plain and quoted fields, with LF or CRLF line ends', () => {
    expect(parseCsvRows('a,b\n1,"x, ""y"""\r\n2,\n')).toEqual([['a', 'b'], ['1', 'x, "y"'], ['2', '']]);
  });

  it('keeps a last line without a newline', () => {
    expect(parseCsvRows('a\n1')).toEqual([['a'], ['1']]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => parseCsvRows('a\n"1')).toThrow(/quoted field/);
  });
});

describe('readCsvRecords', () => {
  it('keys rows by header and numbers lines from the header', () => {
    const records = readCsvRecords('sym,close\nINFY, 1121.00\n\n', ['sym'], 'prices.csv');
    expect(records).toEqual([{ line: 2, values: { sym: 'INFY', close: '1121.00' } }]);
  });

  it('names the file and line of a malformed row', () => {
    expect(() => readCsvRecords('a,b\n1,2\n3\n', ['a'], 'x.csv')).toThrow('x.csv:3: 1 fields, header has 2');
    expect(() => readCsvRecords('a,b\n', ['c'], 'x.csv')).toThrow('x.csv: missing column(s) c');
  });
});
