import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { releaseUpgradeRequests } from './upgrade-release';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('releaseUpgradeRequests', () => {
  let http: HttpServer;
  let io: Server;
  let client: ClientSocket | undefined;
  const requests: WeakRef<IncomingMessage>[] = [];

  async function start(release: boolean): Promise<{ url: string; connected: Promise<Socket> }> {
    http = createServer();
    io = new Server(http, { serveClient: false });
    if (release) releaseUpgradeRequests(io);
    // engine.io hands every upgrade request to its 'headers' listeners before answering it.
    io.engine.on('headers', (_headers: unknown, req: IncomingMessage) => requests.push(new WeakRef(req)));
    const connected = new Promise<Socket>((resolve) => io.on('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, connected };
  }

  async function collectable(): Promise<boolean> {
    for (let i = 0; i < 3; i++) {
      await turn();
      gc();
    }
    return requests.at(-1)!.deref() === undefined;
  }

  afterEach(async () => {
    // The server goes first and the client sees it go, so no request of a polling client is left to fail later.
    const clientGone = client?.connected ? new Promise((resolve) => client!.once('disconnect', resolve)) : null;
    await new Promise((resolve) => io.close(resolve));
    await clientGone;
    requests.length = 0;
  });

  it('leaves the upgrade request collectable while the connection stays open and working', async () => {
    const { url, connected } = await start(true);
    client = connect(url, { transports: ['websocket'], reconnection: false });
    const socket = await connected;
    socket.on('echo', (value: string, ack: (v: string) => void) => ack(value));

    expect(requests).toHaveLength(1);
    expect(await collectable()).toBe(true);
    await expect(client.emitWithAck('echo', 'still here')).resolves.toBe('still here');

    const ws = (socket.conn as unknown as { transport: { socket: { listeners(e: string): Function[] } } }).transport.socket;
    expect(ws.listeners('error').map((fn) => fn.name)).not.toContain('onUpgradeError');
    const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));
    client.disconnect();
    await expect(closed).resolves.toBe('client namespace disconnect');
  });

  it('is what frees it: without the release engine.io keeps the request for the life of the connection', async () => {
    const { url, connected } = await start(false);
    client = connect(url, { transports: ['websocket'], reconnection: false });
    await connected;
    expect(await collectable()).toBe(false);
  });

  it('leaves long-polling connections working (their responses are Node’s own)', async () => {
    const { url, connected } = await start(true);
    client = connect(url, { transports: ['polling'], reconnection: false });
    const socket = await connected;
    socket.on('echo', (value: string, ack: (v: string) => void) => ack(value));
    await expect(client.emitWithAck('echo', 'polled')).resolves.toBe('polled');
  });
});
