import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { IncomingMessage } from 'node:http';
import { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '../../../common/config/app-config';
import { REDIS_CONNECTIONS, RedisConnections } from '../../../common/redis/redis.module';
import { originAllowed } from './origin-policy';
import { releaseUpgradeRequests } from './upgrade-release';

/** Heartbeat every 30 s (the seed's interval); a peer silent for 20 s more is gone. */
const PING_INTERVAL_MS = 30_000;
const PING_TIMEOUT_MS = 20_000;
/** A connection that has not completed the namespace handshake by then is closed. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * socket.io on the app's own HTTP server (Fastify's), configured from AppConfig, with the Redis
 * adapter when Redis is configured so that room emits (`user:<id>`) reach every replica; embedded
 * mode keeps socket.io's in-process adapter, which is right for one process.
 */
export class RealtimeIoAdapter extends IoAdapter {
  private readonly logger = new Logger('RealtimeIoAdapter');
  private readonly redisClients: Redis[] = [];

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(_port: number, options?: Partial<ServerOptions>): Server {
    const config = this.app.get(AppConfig, { strict: false });
    const limits = config.realtime;
    // Our own socket.io (the app's dependency), not the copy nested under @nestjs/platform-socket.io.
    const server = new Server(this.httpServer, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: limits.maxMessageBytes,
      pingInterval: PING_INTERVAL_MS,
      pingTimeout: PING_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Ticks are small, frequent and already conflated: compressing each frame costs more CPU than it saves.
      perMessageDeflate: false,
      httpCompression: false,
      // Upgrades on other paths belong to other listeners (the Kite ticker): give them time to answer.
      destroyUpgradeTimeout: 5_000,
      cors: limits.allowedOrigins.length ? { origin: limits.allowedOrigins, credentials: true } : undefined,
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => {
        const ok = originAllowed(req.headers.origin, req.headers.host, limits.allowedOrigins);
        callback(ok ? null : 'origin not allowed', ok);
      },
    } as Partial<ServerOptions>);
    releaseUpgradeRequests(server);
    const conns = this.app.get<RedisConnections | null>(REDIS_CONNECTIONS, { strict: false });
    if (conns) {
      const pub = conns.duplicate();
      const sub = conns.duplicate();
      this.redisClients.push(pub, sub);
      server.adapter(createAdapter(pub, sub, { key: `${config.redis.keyPrefix}socket.io`, requestsTimeout: 3_000, publishOnSpecificResponseChannel: true }));
      this.logger.log('socket.io Redis adapter enabled');
    }
    return server;
  }

  /**
   * Not socket.io's own close(): that also closes the HTTP server, which Fastify owns and drains.
   * Closing the engine ends every connection as a transport close, so clients reconnect (to
   * another replica, or to this one once it is back) instead of treating it as a kick.
   */
  override async close(nestServer: Parameters<IoAdapter['close']>[0]): Promise<void> {
    // The Redis adapter is not closed here: its close() fires unsubscribe commands it never
    // awaits, which fail once dispose() quits the connections. Quitting drops the subscriptions anyway.
    (nestServer as unknown as Server).engine.close();
  }

  /**
   * Nest builds an rxjs pipeline per socket here even for a gateway with no @SubscribeMessage
   * handlers; ours has none (it attaches listeners itself), so skip it: idle sockets are the bulk.
   */
  override bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (args[1].length) super.bindMessageHandlers(...args);
  }

  override async dispose(): Promise<void> {
    await Promise.allSettled(this.redisClients.map((c) => c.quit()));
    this.redisClients.length = 0;
  }
}
