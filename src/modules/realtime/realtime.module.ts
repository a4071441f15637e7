import { Module } from '@nestjs/common';
import { AppConfig } from '../../common/config/app-config';
import { AuthModule } from '../auth/auth.module';
import { InstrumentsModule } from '../instruments';
import { depthOf, tickOf } from './fanout/json-tick.codec';
import { TickFanout } from './fanout/tick-fanout';
import { RealtimeGateway } from './gateway/realtime.gateway';
import { encodeKitePacket } from './kite/kite-packet.codec';
import { KiteTickerServer } from './kite/kite-ticker.server';
import { RealtimeState } from './realtime-state';
import { RealtimeRelay } from './realtime.relay';
import { WatchRegistry } from './watch-registry';

/**
 * WebSocket pushes: the socket.io gateway (typed protocol in src/sdk/protocol.ts) and the
 * Kite-compatible binary ticker, both fed by one fan-out. Needs RealtimeIoAdapter installed on
 * the app (app.factory.ts). Exports nothing: other modules reach users by emitting events.
 */
@Module({
  imports: [AuthModule, InstrumentsModule],
  providers: [
    {
      provide: TickFanout,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const r = config.realtime;
        return new TickFanout({
          flushMs: r.flushMs,
          maxSubscriptions: r.maxSubscriptions,
          sendBufferLimitBytes: r.sendBufferLimitBytes,
          codecs: {
            socketio: {
              tick: (q, mode) => Buffer.from(JSON.stringify(tickOf(q, mode))),
              depth: (q, mode) => (mode === 'full' ? Buffer.from(JSON.stringify(depthOf(q))) : null),
            },
            // Kite's full packet carries the depth itself.
            kite: { tick: encodeKitePacket, depth: () => null },
          },
        });
      },
    },
    RealtimeState,
    WatchRegistry,
    RealtimeGateway,
    KiteTickerServer,
    RealtimeRelay,
  ],
})
export class RealtimeModule {}
