/**
 * Bench-only entry: boots the real Mstock app (same factory as main.ts) and feeds it a synthetic
 * market by emitting QUOTES_UPDATED batches in process, exactly as the market-data module does on
 * every replica. Driven over IPC by run.ts.
 */
import 'reflect-metadata';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/common/config/app-config';
import { SessionService } from '../../src/modules/auth/session.service';
import { InstrumentsService } from '../../src/modules/instruments';
import { QUOTES_UPDATED, QuotesUpdatedEvent } from '../../src/modules/market-data/market-data.events';
import { QuoteGenerator, UniverseItem } from './quote-generator';
import { serverStats } from './server-stats';

async function main(): Promise<void> {
  const config = AppConfig.fromEnv();
  const app = await createApp(config);
  await app.listen(config.http.port, '127.0.0.1');
  const universe: UniverseItem[] = app
    .get(InstrumentsService)
    .all('NSE')
    .filter((i) => i.tradable && !i.suspended)
    .map((i) => ({ token: i.instrumentToken, exchange: i.exchange, symbol: i.tradingsymbol, prevClose: i.prevClose, lower: i.lowerCircuit, upper: i.upperCircuit }));
  const events = app.get(EventEmitter2);
  const generator = new QuoteGenerator(universe, Number(process.env.BENCH_TICKS_PER_SECOND ?? 5000), Number(process.env.BENCH_BATCH_MS ?? 100));
  generator.start((quotes, publishedAt) => events.emit(QUOTES_UPDATED, { quotes, publishedAt } satisfies QuotesUpdatedEvent));
  const stats = serverStats();
  const sessions = app.get(SessionService);

  process.on('message', async (msg: { cmd: string; gc?: boolean; count?: number }) => {
    if (msg.cmd === 'stats') process.send!({ type: 'stats', ...stats.sample(!!msg.gc), emitted: generator.emitted });
    else if (msg.cmd === 'reset-loop') stats.resetLoop();
    else if (msg.cmd === 'pause') generator.stop();
    else if (msg.cmd === 'resume') generator.resume();
    else if (msg.cmd === 'tokens') {
      // Sessions for synthetic users: the handshake checks the JWT and the Redis session, nothing else.
      const tokens: string[] = [];
      for (let i = 0; i < (msg.count ?? 1); i++) tokens.push((await sessions.startWebSession(randomUUID(), `MSBENCH${i}`)).access_token);
      process.send!({ type: 'tokens', tokens });
    } else if (msg.cmd === 'kite-tokens') {
      const tokens: string[] = [];
      for (let i = 0; i < (msg.count ?? 1); i++) tokens.push(`benchkey00000001:${(await sessions.startKiteSession(randomUUID(), `MSBENCHK${i}`, 'benchkey00000001')).accessToken}`);
      process.send!({ type: 'tokens', tokens });
    } else if (msg.cmd === 'stop') {
      generator.stop();
      await app.close();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', universe });
}

main().catch((err) => {
  process.stderr.write(`app-server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
