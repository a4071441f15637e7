import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../../common/config/app-config';
import { TooManyRequestsError } from '../../../common/errors';
import { NO_RATE_LIMIT, RATE_LIMIT_BUCKET } from '../../../common/http/rate-limit.decorator';
import { RATE_LIMIT_STORE, RateLimitHit, RateLimitStore } from '../../../common/redis/ports';
import { AuthUser } from '../auth.types';

/**
 * Per-user limits (per IP for anonymous calls), counted in the shared store so all replicas
 * enforce one budget. Runs after authentication, so it knows who is calling.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(NO_RATE_LIMIT, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const reply = http.getResponse<FastifyReply>();
    const limits = this.config.rateLimits;
    const who = request.user ? `user:${request.user.userId}` : `ip:${request.ip}`;
    const limit = request.user ? limits.perUserPerMinute : limits.anonymousPerIpPerMinute;

    const hits: RateLimitHit[] = [{ key: `api:${who}`, limit, windowMs: 60_000 }];
    const bucket = this.reflector.getAllAndOverride<'orders' | undefined>(RATE_LIMIT_BUCKET, targets);
    if (bucket === 'orders') hits.push({ key: `orders:${who}`, limit: limits.ordersPerSecond, windowMs: 1_000 });
    // Both windows in one round trip; the orders window is not counted when the general one refuses.
    const [general, orders] = await this.store.hitAll(hits);
    void reply.header('X-RateLimit-Limit', String(limit)).header('X-RateLimit-Remaining', String(general.remaining));
    if (!general.allowed) throw new TooManyRequestsError(`Too many requests: limit is ${limit} per minute`, general.resetMs / 1000);
    if (orders && !orders.allowed) {
      throw new TooManyRequestsError(`Too many orders: limit is ${limits.ordersPerSecond} per second`, orders.resetMs / 1000, 'RATE.ORDERS');
    }
    return true;
  }
}
