import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/public.decorator';
import { NoRateLimit } from '../http/rate-limit.decorator';
import { RawResponse } from '../http/raw-response.decorator';
import { HealthRegistry } from './health.registry';

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return Promise.race([p, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}

/** Liveness and readiness in terminus's format, which load balancers and Kubernetes read as is. */
@ApiExcludeController()
@Public()
@NoRateLimit()
@RawResponse()
@Controller('health')
export class HealthController {
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  /** Called on shutdown: the balancer should stop sending new work before we stop accepting it. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply) {
    const checks = this.registry.readinessChecks().map(({ name, check }) => async () => {
      const indicator = this.indicators.check(name);
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS);
        return indicator.up();
      } catch (err) {
        return indicator.down({ message: err instanceof Error ? err.message : String(err) });
      }
    });
    if (this.shuttingDown) {
      checks.push(async () => this.indicators.check('lifecycle').down({ message: 'shutting down' }));
    }
    try {
      return reply.send(await this.health.check(checks));
    } catch (err) {
      const body = (err as { getResponse?: () => unknown }).getResponse?.() ?? { status: 'error' };
      return reply.status(503).send(body);
    }
  }
}
