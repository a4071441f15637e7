import type { AlertNotice } from '../../sdk/protocol';

/**
 * In-process events other modules emit (after their transaction commits) to reach a user's
 * open connections on whichever replica they sit; realtime relays them through socket.io's
 * Redis adapter. Producers never import the gateway.
 */
export const ALERT_TRIGGERED = 'alert.triggered';
export interface AlertTriggeredEvent {
  userId: string;
  alert: AlertNotice;
}
