import type { MarketDataSource, Venue } from '../venue.types';
import type { SimLogger } from './message-outbox';

/** A network server in front of the simulator (FIX acceptor, binary feed). */
export interface ProtocolListener {
  readonly name: string;
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/** What the simulator offers a listener besides the two ports. */
export interface ListenerTarget extends Venue, MarketDataSource {
  /** Trading symbol of a token (FIX Symbol(55)). */
  symbolOf(instrumentToken: number): string | undefined;
}

export interface ListenerContext {
  target: ListenerTarget;
  port: number;
  /** Interface to bind (HOST: 127.0.0.1, or 0.0.0.0 in a container). */
  host: string;
  /** Our FIX CompID (config.simulator.fixCompId). */
  compId: string;
  /** Where state that must survive a restart goes (FIX sequence numbers): MSTOCK_DATA_DIR. */
  dataDir: string;
  log: SimLogger;
}

export type ListenerFactory = (context: ListenerContext) => ProtocolListener;

/**
 * Where the protocol servers plug in. Both are built in fix/ and feed/ against venue.types.ts;
 * until a factory is set here, that listener is simply not started (and the log says so).
 */
export interface ProtocolListenerHooks {
  /** FIX 4.4 acceptor (NewOrderSingle, OrderCancelRequest, OrderCancelReplaceRequest, OrderStatusRequest). */
  fixAcceptor?: ListenerFactory;
  /** Binary market-data feed server publishing the QuoteSnapshot batches. */
  feedServer?: ListenerFactory;
}

export const DEFAULT_FIX_PORT = 9878;
export const DEFAULT_FEED_PORT = 9879;

export interface ListenerSettings {
  /** Undefined: do not listen. */
  fixPort?: number;
  feedPort?: number;
  compId: string;
  host: string;
  dataDir: string;
}

/** Starts the plugged-in listeners that have a port; returns them for stopListeners(). */
export async function startListeners(
  hooks: ProtocolListenerHooks,
  settings: ListenerSettings,
  target: ListenerTarget,
  log: SimLogger,
): Promise<ProtocolListener[]> {
  const wanted: [string, ListenerFactory | undefined, number | undefined][] = [
    ['FIX acceptor', hooks.fixAcceptor, settings.fixPort],
    ['binary feed server', hooks.feedServer, settings.feedPort],
  ];
  const started: ProtocolListener[] = [];
  for (const [what, factory, port] of wanted) {
    if (port === undefined) continue;
    if (factory === undefined) {
      log.warn(`${what} not plugged in: port ${port} stays closed`);
      continue;
    }
    const { compId, host, dataDir } = settings;
    const listener = factory({ target, port, host, compId, dataDir, log });
    await listener.start();
    started.push(listener);
    log.log(`${listener.name} listening on port ${port}`);
  }
  return started;
}

/** Stops in reverse order; one failing stop does not keep the others running. */
export async function stopListeners(listeners: readonly ProtocolListener[], log: SimLogger): Promise<void> {
  for (const listener of [...listeners].reverse()) {
    try {
      await listener.stop();
    } catch (err) {
      log.error(`${listener.name} did not stop cleanly: ${(err as Error).message}`, (err as Error).stack);
    }
  }
}
