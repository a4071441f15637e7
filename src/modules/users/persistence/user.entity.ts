import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { KycStatus, UserRole } from '../user.types';

@Entity('users')
export class UserEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'client_id' }) clientId!: string;
  @Column() email!: string;
  @Column() name!: string;
  @Column() phone!: string;
  @Column() pan!: string;
  @Column({ name: 'kyc_status', type: 'text' }) kycStatus!: KycStatus;
  @Column({ type: 'text' }) role!: UserRole;
  @Column({ name: 'trading_blocked' }) tradingBlocked!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
