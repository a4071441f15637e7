import { join } from 'path';
import type { ListenerFactory } from '../simulator/protocol-listeners';
import { FixAcceptor } from './fix-acceptor';

/**
 * The simulator runtime's plug point for FIX (ProtocolListenerHooks.fixAcceptor): sequence numbers
 * and resendable reports go under the data dir, Symbol(55) comes from the simulator's instruments.
 */
export const fixAcceptorListener: ListenerFactory = (ctx) =>
  new FixAcceptor(ctx.target, {
    port: ctx.port,
    host: ctx.host,
    compId: ctx.compId,
    storeDir: join(ctx.dataDir, 'fix'),
    symbolOf: (instrumentToken) => ctx.target.symbolOf(instrumentToken),
    logger: ctx.log,
  });
