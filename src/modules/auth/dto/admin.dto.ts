import { IsBoolean, IsIn, IsUUID } from 'class-validator';
import type { KycStatus } from '../../users/user.types';

export class UserIdParamDto {
  @IsUUID('4', { message: 'user_id must be a UUID' }) user_id!: string;
}

export class SetKycDto {
  @IsIn(['pending', 'verified', 'rejected']) status!: KycStatus;
}

export class SetTradingBlockDto {
  /** true blocks new orders for this user (a per-user kill switch). */
  @IsBoolean() blocked!: boolean;
}
