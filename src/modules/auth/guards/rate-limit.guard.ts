import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../../common/config/app-config';
import { TooManyRequestsError } from '../../../common/errors';
import { NO_RATE_LIMIT, RATE_LIMIT_BUCKET } from '../../../common/http/rate-limit.decorator';
import { RATE_LIMIT_STORE, RateLimitHit, RateLimitResult, RateLimitStore } from '../../../common/redis/ports';
import { AuthUser } from '../auth.types';

/** A request's hits, counted: the general window, and the orders window when the route has one and the general one allowed it. */
export interface CountedHits {
  limit: number;
  general: RateLimitResult;
  orders?: RateLimitResult;
}

type LimitedRequest = FastifyRequest & { user?: AuthUser; countedHits?: CountedHits | null };

/**
 * Per-user limits (per IP for anonymous calls), counted in the shared store so all replicas
 * enforce one budget.
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly config: AppConfig,
  ) {}

  /**
   * Counts the request against its caller's windows now; the guard enforces the result. For the
   * authentication guard, which knows the caller from a verified token before it has read the
   * session: counting then goes to Redis in the same write as the session read.
   */
  countEarly(context: ExecutionContext, userId: string): Promise<CountedHits | null> {
    const request = context.switchToHttp().getRequest<LimitedRequest>();
    return this.count(context, userId).then((counted) => (request.countedHits = counted));
  }

  /** Null when the route is not limited. */
  count(context: ExecutionContext, userId: string | undefined): Promise<CountedHits | null> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(NO_RATE_LIMIT, targets)) return Promise.resolve(null);
    const limits = this.config.rateLimits;
    const who = userId ? `user:${userId}` : `ip:${context.switchToHttp().getRequest<FastifyRequest>().ip}`;
    const limit = userId ? limits.perUserPerMinute : limits.anonymousPerIpPerMinute;
    const hits: RateLimitHit[] = [{ key: `api:${who}`, limit, windowMs: 60_000 }];
    const bucket = this.reflector.getAllAndOverride<'orders' | undefined>(RATE_LIMIT_BUCKET, targets);
    if (bucket === 'orders') hits.push({ key: `orders:${who}`, limit: limits.ordersPerSecond, windowMs: 1_000 });
    // Both windows in one round trip; the orders window is not counted when the general one refuses.
    return this.store.hitAll(hits).then(([general, orders]) => ({ limit, general, orders }));
  }
}

/** Runs after authentication, so it knows who is calling; uses the early count when there was one. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<LimitedRequest>();
    const counted = request.countedHits !== undefined ? request.countedHits : await this.limiter.count(context, request.user?.userId);
    if (!counted) return true;
    const { limit, general, orders } = counted;
    void http.getResponse<FastifyReply>().header('X-RateLimit-Limit', String(limit)).header('X-RateLimit-Remaining', String(general.remaining));
    if (!general.allowed) throw new TooManyRequestsError(`Too many requests: limit is ${limit} per minute`, general.resetMs / 1000);
    if (orders && !orders.allowed) {
      throw new TooManyRequestsError(`Too many orders: limit is ${orders.limit} per second`, orders.resetMs / 1000, 'RATE.ORDERS');
    }
    return true;
  }
}
