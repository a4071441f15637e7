import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { SecondFactorService } from '../../src/modules/auth/second-factor.service';
import { TestApp } from '../support/test-app';

const STEP_MS = 30_000;

/**
 * A TOTP code no one has used yet: moves the app's clock to the next 30 s step first (each
 * step's code is accepted once per user, so tests that log in often need fresh steps).
 */
export function freshCode(t: TestApp, secret: string): string {
  t.clock.advance(STEP_MS);
  return SecondFactorService.codeFor(secret, t.clock.now());
}

/** The code of a step `offsetSteps` away from the app's current time, without moving it. */
export function codeAt(t: TestApp, secret: string, offsetSteps: number): string {
  return SecondFactorService.codeFor(secret, t.clock.now() + offsetSteps * STEP_MS);
}

let counter = 0;
export function newSignup(overrides: Record<string, string> = {}) {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}${randomBytes(2).toString('hex')}`;
  return {
    email: `trader.${tag}@example.com`,
    password: 'correct horse battery',
    phone: '9812345678',
    pan: 'ABCPE1234F',
    name: 'Asha Rao',
    ...overrides,
  };
}

export interface EnrolledUser {
  email: string;
  password: string;
  userId: string;
  secret: string;
  backupCodes: string[];
  /** The code that confirmed enrolment (its time step is spent). */
  confirmCode: string;
}

/** Signs up and confirms TOTP. */
export async function enrolledUser(t: TestApp, overrides: Record<string, string> = {}): Promise<EnrolledUser> {
  const body = newSignup(overrides);
  const signup = await request(t.url).post('/api/v1/auth/signup').send(body).expect(201);
  const secret = signup.body.data.totp_secret as string;
  const confirmCode = freshCode(t, secret);
  const confirm = await request(t.url)
    .post('/api/v1/auth/totp/confirm')
    .send({ email: body.email, password: body.password, code: confirmCode })
    .expect(200);
  return {
    email: body.email,
    password: body.password,
    userId: signup.body.data.user_id,
    secret,
    backupCodes: confirm.body.data.backup_codes,
    confirmCode,
  };
}

/** Password + a fresh second-factor code → tokens. */
export async function logIn(t: TestApp, user: EnrolledUser) {
  const login = await request(t.url).post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
  const tokens = await request(t.url)
    .post('/api/v1/auth/2fa')
    .send({ login_token: login.body.data.login_token, code: freshCode(t, user.secret) })
    .expect(200);
  return tokens.body.data as { access_token: string; refresh_token: string; expires_in: number };
}
