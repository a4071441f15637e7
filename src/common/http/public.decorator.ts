import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'mstock:isPublic';
/** Opens a route (or a whole controller) to callers without a session. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
