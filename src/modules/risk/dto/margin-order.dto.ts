import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ORDER_TYPES, PRODUCTS, TRANSACTION_TYPES, VARIETIES } from '../order-intent';
import type { OrderType, Product, TransactionType, Variety } from '../order-intent';

/** One order for the margin calculators (Kite: POST /margins/orders, /margins/basket). */
export class MarginOrderDto {
  @IsIn(['NSE', 'BSE']) exchange!: 'NSE' | 'BSE';
  @IsString() @Matches(/^[A-Za-z0-9&-]{1,30}$/) tradingsymbol!: string;
  @IsIn(TRANSACTION_TYPES) transaction_type!: TransactionType;
  @IsOptional() @IsIn(VARIETIES) variety: Variety = 'regular';
  @IsIn(PRODUCTS) product!: Product;
  @IsIn(ORDER_TYPES) order_type!: OrderType;
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000_000) quantity!: number;
  @IsOptional() @Type(() => Number) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) price?: number;
  @IsOptional() @Type(() => Number) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) trigger_price?: number;
}
