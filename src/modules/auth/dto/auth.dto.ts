import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class SignupDto {
  /** Login email; unique, case-insensitive. */
  @Transform(trim) @IsEmail({}, { message: 'email must be a valid email address' }) @MaxLength(254) email!: string;
  /** 10 to 128 characters. */
  @IsString() @MinLength(10) @MaxLength(128) password!: string;
  /** Indian mobile number: 10 digits starting 6-9, optionally prefixed +91. */
  @Transform(trim) @Matches(/^(\+91)?[6-9]\d{9}$/, { message: 'phone must be an Indian mobile number (10 digits, optional +91)' })
  phone!: string;
  /** Permanent Account Number, e.g. ABCPE1234F. */
  @Transform(upper) @Matches(/^[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]$/, { message: 'pan must be a valid PAN (e.g. ABCPE1234F)' })
  pan!: string;
  /** Full name as on the PAN. */
  @Transform(trim) @IsString() @Length(1, 100) name!: string;
}

export class CredentialsDto {
  @Transform(trim) @IsEmail({}, { message: 'email must be a valid email address' }) @MaxLength(254) email!: string;
  @IsString() @MinLength(1) @MaxLength(128) password!: string;
}

export class ConfirmTotpDto extends CredentialsDto {
  /** The 6-digit code from the authenticator app. */
  @Transform(trim) @Matches(/^\d{6}$/, { message: 'code must be 6 digits' }) code!: string;
}

export class SecondFactorDto {
  /** From POST /api/v1/auth/login; valid for 5 minutes. */
  @IsString() @Length(16, 128) login_token!: string;
  /** A 6-digit TOTP code or a backup code (xxxxx-xxxxx). */
  @Transform(trim) @IsString() @Length(6, 11) code!: string;
}

export class RefreshDto {
  @IsString() @Length(16, 2048) refresh_token!: string;
}

export class CreateAppDto {
  @Transform(trim) @IsString() @Length(1, 80) name!: string;
  /** Where /connect/login sends the user back with request_token. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) @MaxLength(500) redirect_url!: string;
  /** Where order updates are POSTed. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) @MaxLength(500) postback_url?: string;
}
