import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { ConflictError, NotFoundError } from '../../common/errors';
import { UserEntity } from './persistence/user.entity';
import { KycStatus, User, UserRole } from './user.types';

export interface NewUser {
  email: string;
  name: string;
  phone: string;
  pan: string;
  kycStatus: KycStatus;
  role?: UserRole;
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  /** Inside the caller's transaction: signup writes the user and its credentials atomically. */
  async create(manager: EntityManager, input: NewUser): Promise<User> {
    const [{ seq }] = await manager.query(`SELECT nextval('user_client_seq') AS seq`);
    const entity = manager.create(UserEntity, {
      id: randomUUID(),
      clientId: `MS${seq}`,
      email: input.email.toLowerCase(),
      name: input.name,
      phone: input.phone,
      pan: input.pan,
      kycStatus: input.kycStatus,
      role: input.role ?? 'trader',
      tradingBlocked: false,
    });
    try {
      return { ...(await manager.save(entity)) };
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictError('An account with this email already exists', 'USER.EMAIL_TAKEN');
      }
      throw err;
    }
  }

  /**
   * SQL condition "this user may trade now" for another module's single-statement write, so the
   * check and the write are one atomic step (no read of the user on the order hot path).
   */
  static tradingAllowedCondition(userParam: string): string {
    return `EXISTS (SELECT 1 FROM users WHERE id = ${userParam} AND kyc_status = 'verified' AND NOT trading_blocked)`;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundError('User not found', 'USER.NOT_FOUND');
    return user;
  }

  async setKycStatus(id: string, status: KycStatus): Promise<User> {
    const result = await this.users.update({ id }, { kycStatus: status });
    if (!result.affected) throw new NotFoundError('User not found', 'USER.NOT_FOUND');
    return this.getById(id);
  }

  /** Operators are named by configuration; this makes the table agree with it. */
  async syncAdmins(emails: string[]): Promise<void> {
    await this.users
      .createQueryBuilder()
      .update()
      .set({ role: () => `CASE WHEN lower(email) = ANY(:emails) THEN 'admin' ELSE 'trader' END` })
      .setParameters({ emails })
      .execute();
  }

  async setTradingBlocked(id: string, blocked: boolean): Promise<void> {
    const result = await this.users.update({ id }, { tradingBlocked: blocked });
    if (!result.affected) throw new NotFoundError('User not found', 'USER.NOT_FOUND');
  }
}
