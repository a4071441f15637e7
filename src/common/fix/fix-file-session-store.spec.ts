import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FixMsgStoreRecord, SessionId } from './jspurefix';
import { FixFileSessionStore, FixFileSessionStoreFactory, storedSessionTargets } from './fix-file-session-store';

describe('FixFileSessionStore', () => {
  let dir: string;
  const id = new SessionId('FIX.4.4', 'SIM', 'M/1');
  const open = async (maxMessages?: number): Promise<FixFileSessionStore> => {
    const store = new FixFileSessionStore(id, { directory: dir, maxMessages });
    await store.initialize();
    return store;
  };
  const sent = (seq: number, msgType = '8'): FixMsgStoreRecord => new FixMsgStoreRecord(msgType, new Date(), seq, undefined, `35=${msgType}|`);

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fix-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps both sequence numbers and the sent bodies across instances', async () => {
    const a = await open();
    await a.put(sent(1, 'A'));
    await a.put(sent(2));
    a.attachBody(2, { ClOrdID: 'c1', Price: '2500.05' });
    await a.setTargetSeqNum(7);
    await a.flush();

    const b = await open();
    expect([b.senderSeqNum, b.targetSeqNum]).toEqual([3, 7]);
    expect(b.range(1, 10)).toMatchObject([
      { seq: 1, msgType: 'A', body: undefined },
      { seq: 2, msgType: '8', body: { ClOrdID: 'c1', Price: '2500.05' } },
    ]);
    expect(await storedSessionTargets(dir, 'FIX.4.4', 'SIM')).toEqual(['M/1']);
  });

  it('never moves a sequence number backwards, and ignores retransmissions of old numbers', async () => {
    const s = await open();
    await s.put(sent(1));
    await s.put(sent(2));
    s.attachBody(1, { original: true });
    await s.setSenderSeqNum(2); // jspurefix does this after every PossDup resend of seq 1
    await s.put(sent(1)); // ... and stores the retransmission again
    await s.setTargetSeqNum(5);
    await s.setTargetSeqNum(3);
    expect([s.senderSeqNum, s.targetSeqNum]).toEqual([3, 5]);
    expect(s.range(1, 1)[0].body).toEqual({ original: true });
  });

  it('stamps messages produced while offline with the next sequence number', async () => {
    const s = await open();
    await s.put(sent(1, 'A'));
    expect(s.appendOffline('8', { ExecID: 'E1' })).toBe(2);
    expect(s.appendOffline('9', { ClOrdID: 'x' })).toBe(3);
    expect(s.senderSeqNum).toBe(4);
  });

  it('recovers from a crash between the message append and the seqnums write, and from a torn line', async () => {
    const s = await open();
    await s.put(sent(1));
    await s.flush();
    const log = join(dir, 'FIX.4.4-SIM-M%2f1.messages.jsonl');
    appendFileSync(log, `${JSON.stringify({ s: 2, t: '8', at: Date.now(), b: { ExecID: 'E2' } })}\n{"s":3,"t":"8","at`);
    const reopened = await open();
    expect(reopened.senderSeqNum).toBe(3);
    expect(reopened.range(1, 5).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('keeps a bounded history, compacting the file', async () => {
    const s = await open(3);
    for (let seq = 1; seq <= 1004; seq++) void s.put(sent(seq)); // one batch, one fsync
    await s.flush();
    for (let seq = 1005; seq <= 1010; seq++) await s.put(sent(seq)); // past 2 x 3 + 1000 lines: compacted
    await s.flush();
    expect(s.range(1, 2000).map((r) => r.seq)).toEqual([1008, 1009, 1010]);
    const lines = readFileSync(join(dir, 'FIX.4.4-SIM-M%2f1.messages.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(1010);
    const reopened = await open(3);
    expect(reopened.range(1, 2000).map((r) => r.seq)).toEqual([1008, 1009, 1010]);
    expect(reopened.senderSeqNum).toBe(1011);
  });

  it('resets to 1/1 with an empty history (ResetSeqNumFlag)', async () => {
    const s = await open();
    await s.put(sent(1));
    await s.setTargetSeqNum(9);
    await s.reset();
    expect([s.senderSeqNum, s.targetSeqNum, s.range(1, 9).length]).toEqual([1, 1, 0]);
    const reopened = await open();
    expect([reopened.senderSeqNum, reopened.targetSeqNum, reopened.range(1, 9).length]).toEqual([1, 1, 0]);
  });

  it('writes the seqnums file atomically (never a partial file) and the factory shares one store per session', async () => {
    writeFileSync(join(dir, 'FIX.4.4-SIM-M%2f1.seqnums.json.tmp'), '{"sender":'); // debris of a crash mid-write
    const factory = new FixFileSessionStoreFactory({ directory: dir });
    const s = factory.create(id);
    expect(factory.create(new SessionId('FIX.4.4', 'SIM', 'M/1'))).toBe(s);
    await s.initialize();
    await s.setSenderSeqNum(42);
    await factory.flushAll();
    expect(JSON.parse(readFileSync(join(dir, 'FIX.4.4-SIM-M%2f1.seqnums.json'), 'utf8'))).toMatchObject({ sender: 42, target: 1 });
  });
});
