/**
 * Mstock realtime SDK: import from browsers (bundled) or Node. Nothing here imports server code;
 * protocol.ts is the contract the server compiles against too.
 */
export { RealtimeClient } from './realtime-client';
export type { RealtimeClientEvents, RealtimeClientOptions } from './realtime-client';
export * from './protocol';
