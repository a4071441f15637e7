import { Inject, Injectable, Logger } from '@nestjs/common';
import { InputError, NotFoundError } from '../../../common/errors';
import { CACHE, type Cache } from '../../../common/redis/ports';
import { InstrumentsService } from '../../instruments';
import { WatchlistsRepository, type WatchlistRow } from './watchlists.repository';

/** DESIGN §7: watchlist:{user} 5 minutes, dropped on every change. */
export const WATCHLIST_TTL_MS = 5 * 60_000;
const cacheKey = (userId: string) => `watchlist:${userId}`;

export interface WatchlistView {
  id: string;
  name: string;
  instruments: { instrument_token: number; exchange: string; tradingsymbol: string }[];
  created_at: string;
  updated_at: string;
}

/** A user's watchlists (several, each up to 50 instruments, in the order the user keeps them). */
@Injectable()
export class WatchlistsService {
  private readonly logger = new Logger(WatchlistsService.name);

  constructor(
    private readonly repository: WatchlistsRepository,
    private readonly instruments: InstrumentsService,
    @Inject(CACHE) private readonly cache: Cache,
  ) {}

  async list(userId: string): Promise<WatchlistView[]> {
    const cached = await this.cache.get(cacheKey(userId)).catch(() => null);
    if (cached) return JSON.parse(cached) as WatchlistView[];
    const views = (await this.repository.list(userId)).map((r) => this.view(r));
    await this.cache.set(cacheKey(userId), JSON.stringify(views), WATCHLIST_TTL_MS).catch(() => undefined);
    return views;
  }

  async get(userId: string, id: string): Promise<WatchlistView> {
    const found = (await this.list(userId)).find((w) => w.id === id);
    if (!found) throw notFound();
    return found;
  }

  async create(userId: string, name: string, refs: readonly string[] = []): Promise<WatchlistView> {
    return this.changed(userId, await this.repository.create(userId, name, this.tokens(refs)));
  }

  async update(userId: string, id: string, change: { name?: string; instruments?: readonly string[] }): Promise<WatchlistView> {
    const tokens = change.instruments ? this.tokens(change.instruments) : undefined;
    return this.changed(userId, await this.repository.update(userId, id, { name: change.name, tokens }));
  }

  async add(userId: string, id: string, ref: string): Promise<WatchlistView> {
    return this.changed(userId, await this.repository.add(userId, id, this.tokens([ref])[0]));
  }

  async remove(userId: string, id: string, ref: string): Promise<WatchlistView> {
    return this.changed(userId, await this.repository.remove(userId, id, this.tokens([ref])[0]));
  }

  async delete(userId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(userId, id))) throw notFound();
    await this.invalidate(userId);
  }

  private async changed(userId: string, row: WatchlistRow | null): Promise<WatchlistView> {
    if (!row) throw notFound();
    await this.invalidate(userId);
    return this.view(row);
  }

  private async invalidate(userId: string): Promise<void> {
    try {
      await this.cache.del(cacheKey(userId));
    } catch (err) {
      // Redis down: the entry cannot be read either; it lapses within its TTL.
      this.logger.warn(`watchlist cache not invalidated for a user: ${(err as Error).message}`);
    }
  }

  /** Resolves "NSE:INFY" / tokens, keeping the caller's order and dropping repeats; unknown ones are an error. */
  private tokens(refs: readonly string[]): number[] {
    const out: number[] = [];
    for (const ref of refs) {
      const instrument = this.instruments.resolve(ref);
      if (!instrument) throw new InputError(`unknown instrument: ${ref.slice(0, 64)}`, 'WATCHLIST.UNKNOWN_INSTRUMENT');
      if (!out.includes(instrument.instrumentToken)) out.push(instrument.instrumentToken);
    }
    return out;
  }

  private view(row: WatchlistRow): WatchlistView {
    return {
      id: row.id,
      name: row.name,
      instruments: row.instrumentTokens.flatMap((token) => {
        const i = this.instruments.getByToken(token);
        return i ? [{ instrument_token: token, exchange: i.exchange, tradingsymbol: i.tradingsymbol }] : [];
      }),
      created_at: row.createdAt,
      updated_at: row.updatedAt,
    };
  }
}

const notFound = () => new NotFoundError('watchlist not found', 'WATCHLIST.NOT_FOUND');
