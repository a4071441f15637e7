import { QueryFailedError } from 'typeorm';
import { isTransientDatabaseError } from './transient-error';

const pgError = (code: string | undefined, message = 'x') => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('isTransientDatabaseError', () => {
  it.each([
    ['08006', 'connection failure'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['53300', 'too many connections'],
    ['40001', 'could not serialize access'],
    ['40P01', 'deadlock detected'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    [undefined, 'Connection terminated unexpectedly'],
    [undefined, 'timeout exceeded when trying to connect'],
  ])('retries %p (%s)', (code, message) => {
    expect(isTransientDatabaseError(pgError(code, message))).toBe(true);
    expect(isTransientDatabaseError(new QueryFailedError('SELECT 1', [], pgError(code, message)))).toBe(true);
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['23514', 'new row violates check constraint'],
    ['P0001', 'raised by a trigger'],
    ['42P01', 'relation does not exist'],
    [undefined, 'Cannot read properties of undefined'],
  ])('does not retry %p (%s): the statement itself is wrong', (code, message) => {
    expect(isTransientDatabaseError(new QueryFailedError('SELECT 1', [], pgError(code, message)))).toBe(false);
  });

  it('does not retry what is not an error', () => {
    expect(isTransientDatabaseError('Connection terminated')).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
