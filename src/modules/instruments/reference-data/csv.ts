/** A data row of a CSV file, read by column name; `line` is 1-based (the header is line 1). */
export interface CsvRecord {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

/** RFC 4180 fields: comma-separated, optionally double-quoted ("" is a quote inside quotes). */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += ch;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

/**
 * Rows as records keyed by the header. Every required column must be in the header and every
 * row must have the header's width: a malformed reference file stops the boot, naming the line.
 */
export function readCsvRecords(text: string, requiredColumns: readonly string[], source: string): CsvRecord[] {
  const [header, ...rows] = parseCsvRows(text.replace(/^\uFEFF/, ''));
  if (!header) throw new Error(`${source}: empty file`);
  const missing = requiredColumns.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`${source}: missing column(s) ${missing.join(', ')}`);
  return rows
    .map((cells, index) => ({ cells, line: index + 2 }))
    .filter(({ cells }) => !(cells.length === 1 && cells[0] === ''))
    .map(({ cells, line }) => {
      if (cells.length !== header.length) throw new Error(`${source}:${line}: ${cells.length} fields, header has ${header.length}`);
      return { line, values: Object.fromEntries(header.map((name, i) => [name, cells[i].trim()])) };
    });
}
