import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../../common/config/app-config';
import { UsersModule } from '../users/users.module';
import { AdminUsersController } from './admin-users.controller';
import { ApiAppsService } from './api-apps.service';
import { AppsController } from './apps.controller';
import { AuthSecrets, loadAuthSecrets } from './auth-secrets';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AdminSync, DemoUserSeeder } from './demo-user.seeder';
import { AdminGuard } from './guards/admin.guard';
import { AuthenticationGuard } from './guards/authentication.guard';
import { JwtStrategy } from './guards/jwt.strategy';
import { RateLimiter, RateLimitGuard } from './guards/rate-limit.guard';
import { VerifiedTokens } from './guards/verified-tokens';
import { KiteConnectController } from './kite-connect.controller';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { ProfileController } from './profile.controller';
import { SecondFactorService } from './second-factor.service';
import { SessionService } from './session.service';

/**
 * Identity: signup, password + TOTP login, sessions, Kite Connect API apps, and the two global
 * guards (authentication, then rate limits). Exports SessionService for the realtime handshake.
 */
@Module({
  imports: [
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({
      extraProviders: [{ provide: AuthSecrets, inject: [AppConfig], useFactory: loadAuthSecrets }],
      inject: [AuthSecrets],
      useFactory: (secrets: AuthSecrets) => ({ secret: secrets.jwtKey as unknown as string, verifyOptions: { algorithms: ['HS256'] } }),
    }),
  ],
  controllers: [AuthController, ProfileController, AppsController, KiteConnectController, AdminUsersController],
  providers: [
    { provide: AuthSecrets, inject: [AppConfig], useFactory: loadAuthSecrets },
    PasswordHasher,
    SecondFactorService,
    LoginThrottle,
    SessionService,
    AuthService,
    ApiAppsService,
    JwtStrategy,
    VerifiedTokens,
    RateLimiter,
    DemoUserSeeder,
    AdminGuard,
    AdminSync,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [SessionService],
})
export class AuthModule {}
