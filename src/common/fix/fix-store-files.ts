import { promises as fsp } from 'fs';
import * as path from 'path';

/** One sent message as kept for ResendRequest: admin messages need only their type (they are
 * gap-filled); application messages keep the object they were encoded from. */
export interface StoredMessage {
  seq: number;
  msgType: string;
  sentAt: number;
  body?: Record<string, unknown>;
}

/** On disk, one JSON object per line: {"s":seq,"t":msgType,"at":epochMs,"b":body}. */
export function toLine(r: StoredMessage): string {
  return `${JSON.stringify({ s: r.seq, t: r.msgType, at: r.sentAt, b: r.body })}\n`;
}

export function parseLine(line: string): StoredMessage | null {
  if (!line.trim()) return null;
  try {
    const o = JSON.parse(line) as { s: number; t: string; at: number; b?: Record<string, unknown> };
    if (!Number.isSafeInteger(o.s) || typeof o.t !== 'string') return null;
    return { seq: o.s, msgType: o.t, sentAt: o.at, body: o.b };
  } catch {
    return null;
  }
}

/** CompIDs are chosen by members; keep them from escaping the store directory. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** TargetCompIDs of the sessions `senderCompId` has state for in `directory` (e.g. members an
 * acceptor served before a restart). */
export async function storedSessionTargets(directory: string, beginString: string, senderCompId: string): Promise<string[]> {
  const prefix = `${safeFileName(`${beginString}-${senderCompId}`)}-`;
  const suffix = '.seqnums.json';
  let names: string[];
  try {
    names = await fsp.readdir(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith(suffix))
    .map((n) => n.slice(prefix.length, -suffix.length).replace(/%([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
}

export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Write-temp, fsync, rename, fsync the directory: the file is the old or the new one, never torn. */
export async function atomicWrite(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  const dir = await fsp.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
