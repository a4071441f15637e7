/** SQLSTATEs worth trying again: the statement may well succeed once the database is back or the race is over. */
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|40001|40P01)/;
const TRANSIENT_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
// node-postgres reports a lost or unobtainable connection with these, and no code.
const TRANSIENT_DRIVER_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * A failure of the database rather than of the statement: connection refused or lost, the server
 * shutting down or out of connections, a serialization failure or deadlock. TypeORM wraps the
 * driver's error (`driverError`); both forms are read.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const e = (err as { driverError?: unknown })?.driverError ?? err;
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return TRANSIENT_SQLSTATE.test(code) || TRANSIENT_SOCKET.has(code);
  return TRANSIENT_DRIVER_MESSAGE.test(e.message);
}
