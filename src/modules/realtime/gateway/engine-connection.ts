import type { Socket as TcpSocket } from 'node:net';
import type { AppSocket } from './socket-types';

/**
 * The engine.io facts the fan-out needs and socket.io does not expose as API, used in this one
 * place (socket.io 4.8 / engine.io 6.6): whether the transport is mid-write (socket.io's own
 * volatile emits test the same flag), the packets engine.io queued, ws's bufferedAmount, and the
 * pre-encoded WebSocket frame option that socket.io's adapter uses for broadcasts.
 */
interface EngineInternals {
  readyState: string;
  writeBuffer: { data?: unknown }[];
  /** On WebSocket, `socket` is ws's WebSocket and `socket._socket` its TCP socket. */
  transport: { name: string; writable: boolean; socket?: { bufferedAmount: number; terminate(): void; _socket?: TcpSocket } };
  write(data: string | undefined, options: { compress: boolean; wsPreEncodedFrame?: Buffer[] }): void;
  close(discard?: boolean): void;
}

const engine = (socket: AppSocket) => socket.conn as unknown as EngineInternals;

const NO_COMPRESSION = { compress: false };

/** True when a frame written now goes straight out rather than into a queue. */
export function canWriteNow(socket: AppSocket): boolean {
  const conn = engine(socket);
  if (conn.readyState !== 'open' || !conn.transport.writable || conn.writeBuffer.length !== 0) return false;
  const tcp = conn.transport.socket?._socket;
  return !tcp || tcp.writableLength === 0;
}

export function bufferedBytes(socket: AppSocket): number {
  const conn = engine(socket);
  let bytes = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) {
    const data = packet.data;
    bytes += typeof data === 'string' ? data.length : Buffer.isBuffer(data) ? data.length : 0;
  }
  return bytes;
}

const prefixes = new Map<string, Buffer>();
/** engine.io message type "4", then socket.io EVENT "2" on namespace "/", then the JSON array opening. */
const prefixOf = (event: string) => prefixes.get(event) ?? prefixes.set(event, Buffer.from(`42["${event}",[`)).get(event)!;
const SUFFIX = Buffer.from(']]');
const COMMA = 0x2c;

/**
 * Emits `event` with a JSON array assembled from items that were serialised (to UTF-8 bytes)
 * once per room. On WebSocket the complete frame — header, engine.io and socket.io prefixes,
 * the items — is built in one buffer and handed to engine.io as a pre-encoded frame (the path
 * socket.io's own broadcasts take), so a client's frame costs one allocation and copies: no
 * per-client string building, UTF-8 encoding or second write. Long-polling gets the text form.
 */
export function writeEvent(socket: AppSocket, event: string, items: readonly Buffer[]): void {
  const conn = engine(socket);
  if (conn.transport.name !== 'websocket') {
    conn.write(`2["${event}",[${items.map(String).join(',')}]]`, NO_COMPRESSION);
    return;
  }
  const prefix = prefixOf(event);
  let payload = prefix.length + SUFFIX.length + Math.max(0, items.length - 1);
  for (const item of items) payload += item.length;
  const header = payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + payload);
  frame[0] = 0x81; // FIN + text frame; server frames are not masked
  if (header === 2) frame[1] = payload;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(payload, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(payload, 6);
  }
  let at = header + prefix.copy(frame, header);
  items.forEach((item, i) => {
    if (i > 0) frame[at++] = COMMA;
    at += item.copy(frame, at);
  });
  SUFFIX.copy(frame, at);
  // Straight onto the TCP socket when engine.io has nothing queued: a complete frame cannot
  // interleave with ws's own (it writes whole frames synchronously; compression is off), and
  // engine.io's packet, flush and drain round per frame cost more than the write itself (bench:fanout,
  // 2,000 clients: server CPU 52% -> 30%, P99 64 -> 41 ms).
  const tcp = conn.transport.socket?._socket;
  if (tcp?.writable && conn.writeBuffer.length === 0) tcp.write(frame);
  else conn.write(undefined, { compress: false, wsPreEncodedFrame: [frame] });
}

/**
 * Drops the connection at once. A polite close would wait for the queued data to drain, which a
 * slow consumer never does; the client sees a transport close and reconnects when it can keep up.
 */
export function terminate(socket: AppSocket): void {
  const conn = engine(socket);
  if (conn.transport.socket) conn.transport.socket.terminate();
  else conn.close(true);
}
