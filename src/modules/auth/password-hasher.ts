import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's Algorithm is a const enum, which isolated modules cannot read: Argon2id = 2. */
const ARGON2ID = 2;

/** OWASP's argon2id baseline: m = 19 MiB, t = 2, p = 1. */
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class PasswordHasher {
  /** A real hash of a random string: verifying against it costs what a real check costs. */
  private readonly dummy = hash(`dummy-${Math.random()}`, PARAMS);

  hash(password: string): Promise<string> {
    return hash(password, PARAMS);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    // Unknown users still pay for one verification, so timing does not reveal who exists.
    const target = passwordHash ?? (await this.dummy);
    const ok = await verify(target, password).catch(() => false);
    return ok && passwordHash !== null;
  }
}
