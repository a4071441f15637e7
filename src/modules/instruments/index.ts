/** What other modules may use: the module, its service and its types. */
export { InstrumentsModule } from './instruments.module';
export { InstrumentsService } from './instruments.service';
export { EXCHANGES, instrumentKey, isExchange } from './instrument';
export type { BseGroup, CircuitBandPct, Exchange, Instrument, NseSeries } from './instrument';
export type { SearchOptions } from './instrument-search';
export { isTickMultiple } from './rules/tick-size';
export { buildInstrumentMaster } from './reference-data/instrument-master';
export { locateReferenceData, parseReferenceData, readReferenceFiles } from './reference-data/reference-data';
