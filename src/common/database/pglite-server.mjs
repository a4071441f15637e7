// Embedded Postgres: PGlite served over the Postgres wire protocol on a loopback port, in a
// child process of the app, so PGlite's WASM never blocks the app's event loop.
// Started by embedded-postgres.ts; talks to its parent over IPC: {ready, port} | {error}.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const dataDir = process.env.PGLITE_DATA_DIR;
const port = Number(process.env.PGLITE_PORT ?? 0);
const send = (msg) => process.send?.(msg);

let server;
let db;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try {
    await server?.stop();
    // close() checkpoints PGlite's files so the next start does not replay a half-written state.
    await db?.close();
  } finally {
    process.exit(code);
  }
}

try {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  db = await PGlite.create(dataDir ? `file://${dataDir}` : undefined);
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 1 });
  await server.start();
  const actual = Number(server.getServerConn().split(':').pop());
  send({ type: 'ready', port: actual });
} catch (err) {
  send({ type: 'error', message: String(err?.stack ?? err) });
  process.exit(1);
}

process.on('message', (msg) => {
  if (msg?.type === 'stop') void stop(0);
});
// The parent died or closed the channel: never outlive it holding the data directory.
process.on('disconnect', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
