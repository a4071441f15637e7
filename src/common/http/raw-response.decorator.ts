import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE = 'mstock:rawResponse';
/** Skips the {status:"success", data} envelope (health, metrics, CSV dumps, redirects). */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);
