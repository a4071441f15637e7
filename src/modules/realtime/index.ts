/** What other modules may use: the module, the adapter main.ts installs, and the push events. */
export { RealtimeModule } from './realtime.module';
export { RealtimeIoAdapter } from './gateway/realtime-io.adapter';
export { KITE_TICKER_PATH } from './kite/kite-ticker.server';
export { ALERT_TRIGGERED } from './realtime.events';
export type { AlertTriggeredEvent } from './realtime.events';
