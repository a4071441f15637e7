import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, ErrorType } from '../../../common/errors';
import { UsersService } from '../../users/users.service';
import { AuthUser } from '../auth.types';

/** Operator-only routes: the caller's role is read fresh, so a demotion takes effect at once. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const caller = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    const user = caller ? await this.users.findById(caller.userId) : null;
    if (user?.role !== 'admin') throw new DomainError('AUTH.NOT_ADMIN', 'This action needs an operator account', ErrorType.Permission, 403);
    return true;
  }
}
