import { Identity1764100000000 } from './1764100000000-identity';
import { Instruments1764200000000 } from './1764200000000-instruments';
import { Funds1764300000000 } from './1764300000000-funds';
import { Trading1764400000000 } from './1764400000000-trading';
import { MarketData1764500000000 } from './1764500000000-market-data';
import { PortfolioJobs1764600000000 } from './1764600000000-portfolio-jobs';
import { Iceberg1764700000000 } from './1764700000000-iceberg';
import { HotOrderUpdates1764800000000 } from './1764800000000-hot-order-updates';
import { OwnerKeyedHistory1764900000000 } from './1764900000000-owner-keyed-history';
import { LockFreeHistoryInserts1765000000000 } from './1765000000000-lock-free-history-inserts';
/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works from
 * TypeScript (tests, CLI) and from the compiled build. Merged migrations are frozen history.
 */
export const MIGRATIONS: Function[] = [Identity1764100000000, Instruments1764200000000, Funds1764300000000, Trading1764400000000, MarketData1764500000000, PortfolioJobs1764600000000, Iceberg1764700000000, HotOrderUpdates1764800000000, OwnerKeyedHistory1764900000000, LockFreeHistoryInserts1765000000000];
