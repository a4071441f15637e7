import { FeedServer } from './feed/feed-server';
import { fixAcceptorListener } from './fix/fix-listener';
import type { ProtocolListenerHooks } from './simulator/protocol-listeners';

/** The simulator's network faces, the same inside the app and in `npm run exchange-sim`. */
export const PROTOCOL_LISTENERS: ProtocolListenerHooks = {
  fixAcceptor: fixAcceptorListener,
  feedServer: (ctx) => new FeedServer(ctx.target, { port: ctx.port, host: ctx.host, logger: ctx.log }),
};
