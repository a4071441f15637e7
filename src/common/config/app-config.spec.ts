import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, ConfigError } from './app-config';
import { CONFIG_KEYS } from './config.schema';

describe('AppConfig', () => {
  it('runs on embedded defaults with no environment at all', () => {
    const config = AppConfig.fromEnv({});
    expect(config.http).toMatchObject({ port: 3000, host: '127.0.0.1' });
    expect(config.database.embedded).toBe(true);
    expect(config.redis.embedded).toBe(true);
    expect(config.market.alwaysOpen).toBe(true);
  });

  it('switches to production mode when DATABASE_URL and REDIS_URL are set', () => {
    const config = AppConfig.fromEnv({ DATABASE_URL: 'postgres://u@db:5432/m', REDIS_URL: 'redis://r:6379' });
    expect(config.database).toMatchObject({ embedded: false, url: 'postgres://u@db:5432/m', poolSize: 20 });
    expect(config.redis.embedded).toBe(false);
    expect(config.market.alwaysOpen).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ REDIS_URL: 'redis://a:1', REDIS_SENTINELS: 'b:2' }, /REDIS_SENTINELS/],
    [{ REDIS_SENTINELS: 'nohost' }, /REDIS_SENTINELS/],
    [{ DATABASE_READ_URL: 'postgres://replica/db' }, /DATABASE_READ_URL/],
    [{ EXCHANGE_HOLIDAYS: '2026-13' }, /EXCHANGE_HOLIDAYS/],
  ])('refuses %p with a message naming the variable', (env, name) => {
    expect(() => AppConfig.fromEnv(env)).toThrow(ConfigError);
    expect(() => AppConfig.fromEnv(env)).toThrow(name);
  });

  it('treats empty values as unset, as .env files write them', () => {
    expect(AppConfig.fromEnv({ DATABASE_URL: '', PORT: '' }).database.embedded).toBe(true);
  });

  it('parses sentinels into host/port pairs', () => {
    const config = AppConfig.fromEnv({ REDIS_SENTINELS: 's1:26379, s2:26380' });
    expect(config.redis.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
    ]);
  });

  it('documents every variable it reads in .env.example, and nothing else', () => {
    const example = readFileSync(join(__dirname, '../../../.env.example'), 'utf8');
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual([...CONFIG_KEYS].sort());
  });
});
