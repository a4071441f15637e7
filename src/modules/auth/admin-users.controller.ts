import { Body, Controller, Ip, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { UsersService } from '../users/users.service';
import { AuthUser } from './auth.types';
import { CurrentUser } from './current-user.decorator';
import { SetKycDto, SetTradingBlockDto, UserIdParamDto } from './dto/admin.dto';
import { AdminGuard } from './guards/admin.guard';

/** Operator actions on accounts: KYC decisions and the per-user trading block. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/users/:user_id')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Put('kyc')
  async setKyc(@Param() { user_id }: UserIdParamDto, @Body() body: SetKycDto, @CurrentUser() admin: AuthUser, @Ip() ip: string) {
    const user = await this.users.setKycStatus(user_id, body.status);
    await this.audit.record({ event: 'kyc.changed', userId: user_id, ip, detail: { status: body.status, by: admin.userId } });
    return { user_id: user.id, kyc_status: user.kycStatus };
  }

  @Put('trading-block')
  async setTradingBlock(@Param() { user_id }: UserIdParamDto, @Body() body: SetTradingBlockDto, @CurrentUser() admin: AuthUser, @Ip() ip: string) {
    await this.users.setTradingBlocked(user_id, body.blocked);
    await this.audit.record({ event: 'trading.blocked', userId: user_id, ip, detail: { blocked: body.blocked, by: admin.userId } });
    return { user_id, trading_blocked: body.blocked };
  }
}
