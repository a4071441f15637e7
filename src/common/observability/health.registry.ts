import { Injectable } from '@nestjs/common';

export type HealthCheckFn = () => Promise<void>;

interface Registered {
  name: string;
  check: HealthCheckFn;
  /** Readiness: "can this replica take orders now". Liveness never checks dependencies. */
  readiness: boolean;
}

/**
 * Modules register their dependency checks here (database, Redis, exchange link), so the
 * health endpoints know nothing of the modules.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks: Registered[] = [];

  register(name: string, check: HealthCheckFn, options: { readiness?: boolean } = {}): void {
    this.checks.push({ name, check, readiness: options.readiness ?? true });
  }

  readinessChecks(): Registered[] {
    return this.checks.filter((c) => c.readiness);
  }
}
