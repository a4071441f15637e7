import { Body, Controller, Delete, Get, HttpCode, Ip, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { toIstIso } from '../../common/clock/ist';
import { DomainError, InputError } from '../../common/errors';
import { Public } from '../../common/http/public.decorator';
import { RawResponse } from '../../common/http/raw-response.decorator';
import { UsersService } from '../users/users.service';
import { ApiAppsService, assertApiKeyShape, KiteTokenError } from './api-apps.service';
import { AuthService } from './auth.service';
import { AuthUser } from './auth.types';
import { CurrentUser } from './current-user.decorator';
import { loginPage } from './login-page';
import { kiteProfile } from './profile.controller';
import { SecondFactorService } from './second-factor.service';
import { SessionService } from './session.service';

type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Kite Connect v3 login flow: login page → request_token → POST /session/token (checksum) → access_token. */
@ApiTags('kite')
@Controller()
export class KiteConnectController {
  constructor(
    private readonly apps: ApiAppsService,
    private readonly auth: AuthService,
    private readonly secondFactor: SecondFactorService,
    private readonly sessions: SessionService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @RawResponse()
  @ApiExcludeEndpoint()
  @Get('connect/login')
  async loginForm(@Query('api_key') apiKey: unknown, @Res() reply: FastifyReply) {
    assertApiKeyShape(apiKey);
    const app = await this.apps.find(apiKey);
    if (!app) throw new InputError('Unknown `api_key`');
    return reply.type('text/html; charset=utf-8').send(loginPage({ apiKey, appName: app.name }));
  }

  @Public()
  @RawResponse()
  @ApiExcludeEndpoint()
  @Post('connect/login')
  async login(@Body() form: Form, @Ip() ip: string, @Res() reply: FastifyReply) {
    const apiKey = str(form?.api_key);
    assertApiKeyShape(apiKey);
    const app = await this.apps.find(apiKey);
    if (!app) throw new InputError('Unknown `api_key`');
    const email = str(form.email);
    const render = (status: number, error: string) =>
      reply.status(status).type('text/html; charset=utf-8').send(loginPage({ apiKey, appName: app.name, email, error }));
    try {
      const user = await this.auth.checkPassword(email, typeof form.password === 'string' ? form.password : '', ip);
      // API apps are personal, as Kite's are: only the developer's own account may log in to one.
      if (user.id !== app.user_id) return render(403, 'This app is not enabled for your account');
      const verified = await this.secondFactor.verify(user.id, str(form.totp));
      if (!verified.ok) return render(401, 'Invalid or already used TOTP code');
      const requestToken = await this.apps.issueRequestToken(user.id, user.clientId, apiKey);
      const target = new URL(app.redirect_url);
      target.searchParams.set('action', 'login');
      target.searchParams.set('type', 'login');
      target.searchParams.set('status', 'success');
      target.searchParams.set('request_token', requestToken);
      return reply.redirect(target.toString(), 302);
    } catch (err) {
      if (err instanceof DomainError) return render(err.httpStatus, err.message);
      throw err;
    }
  }

  /** Kite Connect: exchange request_token + checksum for an access_token valid until 06:00 IST. */
  @Public()
  @Post('session/token')
  @HttpCode(200)
  async createSession(@Body() form: Form, @Ip() ip: string) {
    const apiKey = str(form?.api_key);
    assertApiKeyShape(apiKey);
    const requestToken = str(form.request_token);
    const checksum = str(form.checksum);
    if (!requestToken || !/^[a-f0-9]{64}$/i.test(checksum)) throw new InputError('`request_token` and a SHA-256 `checksum` are required');
    const { userId, accessToken } = await this.apps.exchangeRequestToken(apiKey, requestToken, checksum, ip);
    const user = await this.users.getById(userId);
    return {
      ...kiteProfile(user),
      api_key: apiKey,
      access_token: accessToken,
      public_token: accessToken.slice(0, 32),
      refresh_token: '',
      enctoken: '',
      login_time: toIstIso(Date.now()).slice(0, 19).replace('T', ' '),
    };
  }

  /** Kite Connect: invalidate an access token (DELETE /session/token?api_key=&access_token=). */
  @Delete('session/token')
  async deleteSession(@CurrentUser() user: AuthUser, @Query('access_token') accessToken: unknown, @Query('api_key') apiKey: unknown) {
    if (user.kind !== 'kite' || typeof accessToken !== 'string' || apiKey !== user.apiKey) {
      throw new KiteTokenError('Only the API session itself can be invalidated here');
    }
    await this.sessions.endKiteSession(user, accessToken);
    return true;
  }
}
