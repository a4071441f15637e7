import { DomainError, ErrorType } from '../../common/errors';

export class InsufficientFundsError extends DomainError {
  constructor(message: string, code = 'FUNDS.INSUFFICIENT') {
    super(code, message, ErrorType.Margin, 400);
  }
}
