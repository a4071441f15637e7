/** What other modules may use: the module, QuotesService and the events. */
export { MarketDataModule } from './market-data.module';
export { QuotesService } from './quotes/quotes.service';
export * from './market-data.events';
