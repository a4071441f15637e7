/** In-process: a user's positions or holdings changed outside an order update (conversion, EOD). */
export const PORTFOLIO_CHANGED = 'portfolio.changed';
export interface PortfolioChangedEvent {
  userId: string;
}

/** In-process: losses on open MIS positions crossed the warning share of their margin. */
export const MARGIN_CALL = 'margin.call';
export interface MarginCallEvent {
  userId: string;
  /** Mark-to-market loss, paise (positive number). */
  loss: number;
  margin: number;
  /** 'warning' past the call threshold; 'square_off' past the hard limit (positions are being closed). */
  level: 'warning' | 'square_off';
  at: number;
}
