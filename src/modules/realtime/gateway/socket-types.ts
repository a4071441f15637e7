import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../sdk/protocol';

/** Between replicas (socket.io's serverSideEmit through the Redis adapter). */
export interface InterServerEvents {
  /**
   * Orders changed (a JSON array of Order, one loop turn's worth): each replica pushes each to the
   * user's sockets and Kite ticker connections it holds, in both shapes (a room broadcast through
   * the adapter would be a PUBLISH per order update and per shape).
   */
  'order:updates': (ordersJson: string) => void;
  /** Which users hold connections where (WatchRegistry); `from` is the sending replica's id. */
  'watch:hello': (from: string, ack: (answer: { from: string; users: string[] }) => void) => void;
  'watch:add': (from: string, userId: string, ack: () => void) => void;
  'watch:remove': (from: string, userId: string) => void;
  'watch:state': (from: string, users: string[]) => void;
  'watch:bye': (from: string) => void;
}

/** Kept small on purpose: socket.io serialises socket.data when a replica asks another for its sockets. */
export interface SocketData {
  userId: string;
  sessionId: string;
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const userRoom = (userId: string) => `user:${userId}`;
