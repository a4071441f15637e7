export type KycStatus = 'pending' | 'verified' | 'rejected';
export type UserRole = 'trader' | 'admin';

export interface User {
  id: string;
  /** Public, Kite-style client code (e.g. MS1001). */
  clientId: string;
  email: string;
  name: string;
  phone: string;
  pan: string;
  kycStatus: KycStatus;
  role: UserRole;
  tradingBlocked: boolean;
  createdAt: Date;
}

/** PAN as shown to people and logs: first three and last two characters. */
export function maskPan(pan: string): string {
  return `${pan.slice(0, 3)}XXXXX${pan.slice(-2)}`;
}
