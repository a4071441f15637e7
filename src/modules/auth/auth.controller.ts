import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/http/public.decorator';
import { AuthService } from './auth.service';
import { AuthUser } from './auth.types';
import { CurrentUser } from './current-user.decorator';
import { ConfirmTotpDto, CredentialsDto, RefreshDto, SecondFactorDto, SignupDto } from './dto/auth.dto';
import { SessionService } from './session.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
  ) {}

  /** Creates the account and starts TOTP enrolment: scan the QR, then confirm with a code. */
  @Public()
  @Post('signup')
  async signup(@Body() body: SignupDto, @Ip() ip: string) {
    const { user, enrolment } = await this.auth.signup(body, ip);
    return {
      user_id: user.id,
      client_id: user.clientId,
      kyc_status: user.kycStatus,
      totp_secret: enrolment.secret,
      otpauth_uri: enrolment.otpauthUri,
      qr: enrolment.qrDataUrl,
    };
  }

  /** Activates 2FA with the first code; answers the backup codes, shown only this once. */
  @Public()
  @Post('totp/confirm')
  @HttpCode(200)
  async confirmTotp(@Body() body: ConfirmTotpDto, @Ip() ip: string) {
    return { backup_codes: await this.auth.confirmTotp(body.email, body.password, body.code, ip) };
  }

  /** Step one of two: email and password. */
  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: CredentialsDto, @Ip() ip: string) {
    return this.auth.login(body.email, body.password, ip);
  }

  /** Step two: the TOTP (or a backup) code. Answers access and refresh tokens. */
  @Public()
  @Post('2fa')
  @HttpCode(200)
  secondFactor(@Body() body: SecondFactorDto, @Ip() ip: string) {
    return this.auth.completeLogin(body.login_token, body.code, ip);
  }

  /** Rotates the refresh token; a reused one revokes the session. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: RefreshDto) {
    return this.sessions.refresh(body.refresh_token);
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(200)
  async logout(@CurrentUser() user: AuthUser) {
    await this.sessions.revoke(user.sessionId, user.userId, 'logout');
    return { logged_out: true };
  }
}
