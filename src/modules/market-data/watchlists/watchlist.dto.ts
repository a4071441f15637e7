import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

export const MAX_WATCHLIST_INSTRUMENTS = 50;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class WatchlistIdDto {
  @IsUUID('all', { message: 'id must be a watchlist id' }) id!: string;
}

export class WatchlistInstrumentParamDto extends WatchlistIdDto {
  /** "NSE:INFY" or an instrument token. */
  @IsString() @MaxLength(64) instrument!: string;
}

export class CreateWatchlistDto {
  @Transform(trim) @IsString() @Length(1, 40) name!: string;
  /** "NSE:INFY" or instrument tokens, in display order; at most 50. */
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_WATCHLIST_INSTRUMENTS) @IsString({ each: true }) @MaxLength(64, { each: true }) instruments?: string[];
}

export class UpdateWatchlistDto {
  @IsOptional() @Transform(trim) @IsString() @Length(1, 40) name?: string;
  /** Replaces the whole list (reordering included). */
  @IsOptional() @IsArray() @ArrayMaxSize(MAX_WATCHLIST_INSTRUMENTS) @IsString({ each: true }) @MaxLength(64, { each: true }) instruments?: string[];
}

export class AddWatchlistInstrumentDto {
  @IsString() @MaxLength(64) instrument!: string;
}
