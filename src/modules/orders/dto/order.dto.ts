import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ORDER_TYPES, PRODUCTS, TRANSACTION_TYPES, VALIDITIES, VARIETIES } from '../../risk/order-intent';
import type { OrderType, Product, TransactionType, Validity, Variety } from '../../risk/order-intent';

const MAX_QTY = 10_000_000;
const rupees = { maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false };

/** Kite's place-order parameters (form-encoded on the Kite surface, JSON under /api/v1). Prices in rupees. */
export class PlaceOrderDto {
  @IsIn(['NSE', 'BSE'], { message: 'exchange must be NSE or BSE' }) exchange!: 'NSE' | 'BSE';
  @IsString() @Matches(/^[A-Za-z0-9&-]{1,30}$/, { message: 'tradingsymbol must be an exchange symbol' }) tradingsymbol!: string;
  @IsIn(TRANSACTION_TYPES) transaction_type!: TransactionType;
  @IsIn(ORDER_TYPES) order_type!: OrderType;
  @IsIn(PRODUCTS, { message: 'product must be CNC or MIS' }) product!: Product;
  @IsOptional() @IsIn(VALIDITIES) validity: Validity = 'DAY';
  /** Shares; whole number. */
  @Type(() => Number) @IsInt({ message: 'quantity must be a whole number' }) @Min(1) @Max(MAX_QTY) quantity!: number;
  /** Limit price in rupees (LIMIT and SL). */
  @IsOptional() @Type(() => Number) @IsNumber(rupees, { message: 'price must be rupees with at most 2 decimals' }) @Min(0) @Max(10_000_000) price?: number;
  /** Trigger price in rupees (SL and SL-M). */
  @IsOptional() @Type(() => Number) @IsNumber(rupees, { message: 'trigger_price must be rupees with at most 2 decimals' }) @Min(0) @Max(10_000_000) trigger_price?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_QTY) disclosed_quantity?: number;
  /** Iceberg only: number of legs, 2-10. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(2) @Max(10) iceberg_legs?: number;
  /** Free text shown back on the order (Kite: up to 20 characters). */
  @IsOptional() @IsString() @MaxLength(20) @Matches(/^[A-Za-z0-9_-]*$/, { message: 'tag may hold letters, digits, _ and -' }) tag?: string;
  /** Kite's market protection flag is accepted and ignored: every market order is protected. */
  @IsOptional() @Type(() => Number) @IsNumber() market_protection?: number;
  /** regular (default), amo or iceberg. On the Kite surface the path's variety rules and this must agree. */
  @IsOptional() @IsIn(VARIETIES) variety?: Variety;
}

/** Modify: quantity, price, trigger price, order type or validity; absent fields keep their value. */
export class ModifyOrderDto {
  @IsOptional() @Type(() => Number) @IsInt({ message: 'quantity must be a whole number' }) @Min(1) @Max(MAX_QTY) quantity?: number;
  @IsOptional() @Type(() => Number) @IsNumber(rupees) @Min(0) @Max(10_000_000) price?: number;
  @IsOptional() @Type(() => Number) @IsNumber(rupees) @Min(0) @Max(10_000_000) trigger_price?: number;
  @IsOptional() @IsIn(ORDER_TYPES) order_type?: OrderType;
  @IsOptional() @IsIn(VALIDITIES) validity?: Validity;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_QTY) disclosed_quantity?: number;
}

export class VarietyParamDto {
  @IsIn(VARIETIES, { message: 'variety must be regular, amo or iceberg' }) variety!: Variety;
}

export class OrderIdParamDto {
  @Matches(/^\d{1,19}$/, { message: 'order_id must be numeric' }) order_id!: string;
}

export class VarietyOrderParamDto extends OrderIdParamDto {
  @IsIn(VARIETIES, { message: 'variety must be regular, amo or iceberg' }) variety!: Variety;
}

export class ListQueryDto {
  @IsOptional() @IsIn(['OPEN', 'COMPLETE', 'CANCELLED', 'REJECTED', 'PENDING']) status?: string;
  @IsOptional() @Matches(/^[A-Za-z0-9&-]{1,30}$/) tradingsymbol?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  /** Keyset pagination: orders placed before this order id. */
  @IsOptional() @Matches(/^\d{1,19}$/) before?: string;
}

export class TradesQueryDto {
  @IsOptional() @Matches(/^[A-Za-z0-9&-]{1,30}$/) tradingsymbol?: string;
  /** First IST trading day, YYYY-MM-DD. */
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be YYYY-MM-DD' }) from?: string;
  /** Last IST trading day, YYYY-MM-DD. */
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be YYYY-MM-DD' }) to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  /** Keyset pagination: trades older than this trade row id. */
  @IsOptional() @Matches(/^\d{1,19}$/) before?: string;
}
