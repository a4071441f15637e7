import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_BUCKET = 'mstock:rateLimitBucket';
export const NO_RATE_LIMIT = 'mstock:noRateLimit';

/** Adds a stricter named bucket on top of the per-user limit (e.g. 'orders': N per second). */
export const RateLimitBucket = (bucket: 'orders') => SetMetadata(RATE_LIMIT_BUCKET, bucket);
/** For probes and scrapes from the infrastructure (health, metrics). */
export const NoRateLimit = () => SetMetadata(NO_RATE_LIMIT, true);
