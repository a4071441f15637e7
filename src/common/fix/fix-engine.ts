import { Logger, type LoggerService } from '@nestjs/common';
import {
  DITokens,
  JsFixLoggerFactory,
  SessionContainer,
  type IJsFixConfig,
  type IJsFixLogger,
  type IFixSessionStoreFactory,
  type ISessionDescription,
} from './jspurefix';

export const FIX44 = 'FIX.4.4';
/** jspurefix's alias for its bundled QuickFIX-format data/FIX44.xml. */
export const FIX44_DICTIONARY = 'qf44';

export interface FixSessionSettings {
  role: 'acceptor' | 'initiator';
  name: string;
  senderCompId: string;
  targetCompId: string;
  heartbeatSeconds: number;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
}

/** A jspurefix session description for FIX 4.4 over TCP, sequence numbers kept across logons. */
export function fixSessionDescription(s: FixSessionSettings): ISessionDescription {
  return {
    Name: s.name,
    application: {
      type: s.role,
      name: s.name,
      protocol: 'ascii',
      dictionary: FIX44_DICTIONARY,
      tcp: { host: s.host ?? '127.0.0.1', port: s.port ?? 0 },
      reconnectSeconds: 1,
    },
    SenderCompId: s.senderCompId,
    TargetCompID: s.targetCompId,
    SenderSubID: '',
    TargetSubID: '',
    BeginString: FIX44,
    Username: s.username ?? '',
    Password: s.password ?? '',
    HeartBtInt: s.heartbeatSeconds,
    ResetSeqNumFlag: false,
  } as ISessionDescription;
}

/**
 * Builds the engine configuration (dictionary, message factory, DI scope) for a description,
 * with our store factory. We run our own sockets (see docs/fix.md), so this is the part of
 * jspurefix's SessionLauncher we keep.
 */
export async function makeFixConfig(
  description: ISessionDescription,
  storeFactory: IFixSessionStoreFactory,
  logFactory: JsFixLoggerFactory = new NestFixLogFactory(),
): Promise<IJsFixConfig> {
  const sessions = new SessionContainer();
  sessions.registerGlobal(logFactory);
  const container = await sessions.makeSystem(description);
  const config = container.resolve<IJsFixConfig>(DITokens.IJsFixConfig);
  config.sessionStoreFactory = storeFactory;
  return config;
}

/**
 * jspurefix narrates every state change at info level; that is our verbose. Its warnings and
 * errors (a peer vanished, a message refused) are worth a line each, without the stack.
 */
export class NestFixLogFactory extends JsFixLoggerFactory {
  constructor(private readonly target: LoggerService = new Logger('jspurefix')) {
    super();
  }

  logger(type: string): IJsFixLogger {
    const target = this.target;
    return {
      info: (m: string) => target.verbose?.(`[${type}] ${m}`),
      debug: () => undefined,
      warning: (m: string) => target.warn(`[${type}] ${m}`),
      error: (e: Error) => target.warn(`[${type}] ${e.message}`),
    };
  }

  plain(): IJsFixLogger {
    return { info: () => undefined, debug: () => undefined, warning: () => undefined, error: () => undefined };
  }
}
