import { promises as fsp } from 'fs';
import * as path from 'path';
import { FixMsgStoreRecord, type IFixMsgStoreRecord, type IFixSessionStore, type IFixSessionStoreFactory, type SessionId } from './jspurefix';
import { atomicWrite, parseLine, readIfExists, safeFileName, toLine, type StoredMessage } from './fix-store-files';

export { storedSessionTargets, type StoredMessage } from './fix-store-files';

export interface FixStoreOptions {
  directory: string;
  /** Sent messages kept per session for resends (older ones are answered with a gap fill). */
  maxMessages?: number;
  /** And none older than this. */
  maxAgeMs?: number;
}

const DEFAULT_MAX_MESSAGES = 20_000;
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600_000;

/**
 * A durable jspurefix session store. jspurefix 5.11's FileSessionStore rewrites its .seqnums file
 * in place without fsync from un-awaited promises (a crash can leave it empty, and two overlapping
 * writes can land out of order, moving a sequence number backwards), and its resend path never
 * reads it. This one:
 *  - keeps state in memory (the session reads it synchronously) and persists in batches, one fsync
 *    per batch: `<prefix>.seqnums.json` by write-temp + fsync + rename, `<prefix>.messages.jsonl`
 *    append-only, compacted to the retention bound by the same atomic rename;
 *  - moves sequence numbers only forward between resets, and ignores put() of a sequence number
 *    already used (jspurefix stores every retransmission again and would otherwise rewind);
 *  - on load trusts max(seqnums, last stored message + 1), covering a crash between the two writes.
 */
export class FixFileSessionStore implements IFixSessionStore {
  private sender = 1;
  private target = 1;
  private created = new Date();
  private readonly records = new Map<number, StoredMessage>();
  private readonly pending = new Map<number, StoredMessage>();
  private seqDirty = false;
  private truncate = false;
  private lines = 0;
  private loaded: Promise<void> | null = null;
  private batch: Promise<void> | null = null;
  private tail: Promise<void> = Promise.resolve();
  private readonly seqPath: string;
  private readonly logPath: string;
  private readonly maxMessages: number;
  private readonly maxAgeMs: number;

  constructor(
    readonly sessionId: SessionId,
    private readonly options: FixStoreOptions,
  ) {
    const prefix = safeFileName(sessionId.toFilePrefix());
    this.seqPath = path.join(options.directory, `${prefix}.seqnums.json`);
    this.logPath = path.join(options.directory, `${prefix}.messages.jsonl`);
    this.maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  get senderSeqNum(): number {
    return this.sender;
  }
  set senderSeqNum(value: number) {
    void this.setSenderSeqNum(value);
  }
  get targetSeqNum(): number {
    return this.target;
  }
  set targetSeqNum(value: number) {
    void this.setTargetSeqNum(value);
  }
  get creationTime(): Date {
    return this.created;
  }

  setSenderSeqNum(value: number): Promise<void> {
    if (value <= this.sender) return this.tail;
    this.sender = value;
    return this.markSeqDirty();
  }

  setTargetSeqNum(value: number): Promise<void> {
    if (value <= this.target) return this.tail;
    this.target = value;
    return this.markSeqDirty();
  }

  async nextSenderSeqNum(): Promise<number> {
    const next = this.sender + 1;
    await this.setSenderSeqNum(next);
    return next;
  }

  async nextTargetSeqNum(): Promise<number> {
    const next = this.target + 1;
    await this.setTargetSeqNum(next);
    return next;
  }

  /** jspurefix calls this for every encoded message, retransmissions included. */
  put(record: IFixMsgStoreRecord): Promise<void> {
    if (record.seqNum < this.sender) return this.tail;
    this.remember({ seq: record.seqNum, msgType: record.msgType, sentAt: record.timestamp.getTime() });
    return this.setSenderSeqNum(record.seqNum + 1);
  }

  /** The object an application message was encoded from, so a resend can rebuild it exactly. */
  attachBody(seq: number, body: Record<string, unknown>): void {
    const record = this.records.get(seq);
    if (!record) return;
    record.body = body;
    this.pending.set(seq, record);
    void this.persist();
  }

  /** A message produced while no connection is up: it takes the next sequence number now and
   * reaches the peer through its ResendRequest (PossDupFlag=Y) after the next Logon. */
  appendOffline(msgType: string, body: Record<string, unknown>, now = Date.now()): number {
    const seq = this.sender;
    this.remember({ seq, msgType, sentAt: now, body });
    void this.setSenderSeqNum(seq + 1);
    return seq;
  }

  /** Synchronous view for resends: stored messages with seq in [from, to], ascending. */
  range(from: number, to: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const r of this.records.values()) if (r.seq >= from && r.seq <= to) out.push(r);
    return out.sort((a, b) => a.seq - b.seq);
  }

  async get(seqNum: number): Promise<IFixMsgStoreRecord | null> {
    const r = this.records.get(seqNum);
    return r ? toRecord(r) : null;
  }

  async getRange(fromSeqNum: number, toSeqNum: number): Promise<IFixMsgStoreRecord[]> {
    return this.range(fromSeqNum, toSeqNum).map(toRecord);
  }

  /** ResetSeqNumFlag: both directions back to 1 and the resend history dropped. */
  reset(): Promise<void> {
    this.sender = 1;
    this.target = 1;
    this.created = new Date();
    this.records.clear();
    this.pending.clear();
    this.truncate = true;
    return this.markSeqDirty();
  }

  /** Idempotent: a session is re-run on every reconnect and shares this instance. */
  initialize(): Promise<void> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  flush(): Promise<void> {
    return this.pending.size > 0 || this.seqDirty || this.truncate ? this.persist() : this.tail;
  }

  async dispose(): Promise<void> {
    await this.flush();
  }

  private remember(record: StoredMessage): void {
    this.records.set(record.seq, record);
    this.pending.set(record.seq, record);
    const oldest = record.sentAt - this.maxAgeMs;
    for (const r of this.records.values()) {
      if (this.records.size <= this.maxMessages && r.sentAt >= oldest) break;
      this.records.delete(r.seq);
    }
    void this.persist();
  }

  private markSeqDirty(): Promise<void> {
    this.seqDirty = true;
    return this.persist();
  }

  /** Group commit: everything changed in this turn of the event loop goes out in one batch. */
  private persist(): Promise<void> {
    this.batch ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.batch = null;
      const run = this.tail.then(() => this.writeBatch());
      this.tail = run.catch(() => undefined);
      return run;
    });
    return this.batch;
  }

  private async writeBatch(): Promise<void> {
    const records = [...this.pending.values()];
    const writeSeq = this.seqDirty;
    const truncate = this.truncate;
    this.pending.clear();
    this.seqDirty = false;
    this.truncate = false;
    if (records.length === 0 && !writeSeq && !truncate) return; // an earlier batch took it all
    await fsp.mkdir(this.options.directory, { recursive: true });
    if (truncate || this.lines + records.length > 2 * this.maxMessages + 1000) {
      // Compaction (or reset): rewrite the retained history, swapped in atomically.
      this.lines = truncate ? 0 : this.records.size;
      await atomicWrite(this.logPath, truncate ? '' : [...this.records.values()].map(toLine).join(''));
    } else if (records.length > 0) {
      const handle = await fsp.open(this.logPath, 'a');
      try {
        await handle.appendFile(records.map(toLine).join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.lines += records.length;
    }
    if (writeSeq || truncate) {
      const state = { sender: this.sender, target: this.target, created: this.created.toISOString() };
      await atomicWrite(this.seqPath, JSON.stringify(state));
    }
  }

  private async load(): Promise<void> {
    const seqText = await readIfExists(this.seqPath);
    if (seqText) {
      const state = JSON.parse(seqText) as { sender: number; target: number; created: string };
      this.sender = state.sender;
      this.target = state.target;
      this.created = new Date(state.created);
    }
    const logText = (await readIfExists(this.logPath)) ?? '';
    for (const line of logText.split('\n')) {
      const record = parseLine(line);
      if (!record) continue; // blank, or a torn last line from a crash mid-append
      this.lines++;
      this.records.set(record.seq, record);
      this.sender = Math.max(this.sender, record.seq + 1);
    }
    const newest = Math.max(0, ...[...this.records.values()].map((r) => r.sentAt));
    for (const r of [...this.records.values()].sort((a, b) => a.seq - b.seq)) {
      if (this.records.size <= this.maxMessages && r.sentAt >= newest - this.maxAgeMs) break;
      this.records.delete(r.seq);
    }
  }
}

/** One store per session, shared by every connection (and reconnection) of that session. */
export class FixFileSessionStoreFactory implements IFixSessionStoreFactory {
  private readonly stores = new Map<string, FixFileSessionStore>();

  constructor(private readonly options: FixStoreOptions) {}

  create(sessionId: SessionId): FixFileSessionStore {
    const key = sessionId.toFilePrefix();
    let store = this.stores.get(key);
    if (!store) {
      store = new FixFileSessionStore(sessionId, this.options);
      this.stores.set(key, store);
    }
    return store;
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.flush()));
  }
}

function toRecord(r: StoredMessage): IFixMsgStoreRecord {
  return new FixMsgStoreRecord(r.msgType, new Date(r.sentAt), r.seq, r.body, null);
}
