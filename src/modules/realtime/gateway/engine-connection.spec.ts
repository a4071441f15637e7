import type { EventEmitter } from 'node:events';
import * as ws from 'ws';
import { writeEvent } from './engine-connection';
import type { AppSocket } from './socket-types';

function fakeSocket(transport: string) {
  const writes: { data: unknown; options: { wsPreEncodedFrame?: Buffer[] } }[] = [];
  const socket = { conn: { transport: { name: transport }, write: (data: unknown, options: { wsPreEncodedFrame?: Buffer[] }) => writes.push({ data, options }) } };
  return { socket: socket as unknown as AppSocket, writes };
}

/** ws's own frame parser (exported by ws, absent from its typings) reads what we built, as a client would. */
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void } };

function readFrame(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer) => resolve(data.toString()));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('writeEvent', () => {
  it.each([[1], [200], [20_000]])('builds a whole WebSocket frame for %i items (1-, 2- and 8-byte lengths)', async (n) => {
    const { socket, writes } = fakeSocket('websocket');
    const items = Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify({ i, p: 1450.05 })));
    writeEvent(socket, 'tick', items);
    expect(writes).toHaveLength(1);
    const [frame] = writes[0].options.wsPreEncodedFrame!;
    const text = await readFrame(frame);
    expect(text.slice(0, 2)).toBe('42'); // engine.io message, socket.io event
    expect(JSON.parse(text.slice(2))).toEqual(['tick', items.map((b) => JSON.parse(b.toString()))]);
  });

  it('falls back to text for long-polling clients', () => {
    const { socket, writes } = fakeSocket('polling');
    writeEvent(socket, 'depth', [Buffer.from('{"a":1}'), Buffer.from('{"b":"é"}')]);
    expect(writes[0].data).toBe('2["depth",[{"a":1},{"b":"é"}]]');
  });
});
