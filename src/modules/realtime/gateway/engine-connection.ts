import type { AppSocket } from './socket-types';

/**
 * The engine.io facts the fan-out needs and socket.io does not expose as API, read in this one
 * place (socket.io 4.8 / engine.io 6.6): whether the transport is mid-write (socket.io's own
 * volatile emits test the same flag), the packets engine.io queued, and ws's bufferedAmount.
 */
interface EngineInternals {
  readyState: string;
  writeBuffer: { data?: unknown }[];
  transport: { name: string; writable: boolean; socket?: { bufferedAmount: number; terminate(): void } };
  write(data: string, options: { compress: boolean }): void;
  close(discard?: boolean): void;
}

const engine = (socket: AppSocket) => socket.conn as unknown as EngineInternals;

const NO_COMPRESSION = { compress: false };

/** True when a frame written now goes straight out rather than into a queue. */
export function canWriteNow(socket: AppSocket): boolean {
  const conn = engine(socket);
  return conn.readyState === 'open' && conn.transport.writable && conn.writeBuffer.length === 0;
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

/** Writes text that is already a socket.io packet (see socketIoEventFrame), uncompressed. */
export function writePacket(socket: AppSocket, packet: string): void {
  engine(socket).write(packet, NO_COMPRESSION);
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
