/** Kite Connect's error_type vocabulary; SDKs map these names to exception classes. */
export enum ErrorType {
  Input = 'InputException',
  Token = 'TokenException',
  Permission = 'PermissionException',
  Order = 'OrderException',
  Margin = 'MarginException',
  Network = 'NetworkException',
  General = 'GeneralException',
  DataException = 'DataException',
}

export interface ErrorEnvelope {
  status: 'error';
  message: string;
  error_type: ErrorType;
  /** Stable machine-readable code (e.g. ORDER.INSUFFICIENT_MARGIN); absent for transport errors. */
  code?: string;
  data: null;
}
