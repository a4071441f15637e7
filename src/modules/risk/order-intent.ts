import type { Instrument } from '../instruments';

export type TransactionType = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
export type Product = 'CNC' | 'MIS';
export type Validity = 'DAY' | 'IOC';
export type Variety = 'regular' | 'amo' | 'iceberg';

export const TRANSACTION_TYPES: TransactionType[] = ['BUY', 'SELL'];
export const ORDER_TYPES: OrderType[] = ['MARKET', 'LIMIT', 'SL', 'SL-M'];
export const PRODUCTS: Product[] = ['CNC', 'MIS'];
export const VALIDITIES: Validity[] = ['DAY', 'IOC'];
export const VARIETIES: Variety[] = ['regular', 'amo', 'iceberg'];

/** An order as the risk rules see it: parsed, in paise, with its instrument resolved. */
export interface OrderIntent {
  instrument: Instrument;
  transactionType: TransactionType;
  orderType: OrderType;
  product: Product;
  validity: Validity;
  variety: Variety;
  quantity: number;
  /** LIMIT and SL; 0 otherwise. */
  price: number;
  /** SL and SL-M; 0 otherwise. */
  triggerPrice: number;
  disclosedQuantity: number;
  /** Iceberg only: number of legs (2-10). */
  icebergLegs?: number;
}
