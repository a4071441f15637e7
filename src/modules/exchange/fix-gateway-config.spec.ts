import { join, resolve } from 'node:path';
import { AppConfig, ConfigError } from '../../common/config/app-config';

describe('EXCHANGE_FIX_* configuration', () => {
  it('leaves the FIX gateway off (the in-process simulator is the exchange) unless a host is set', () => {
    expect(AppConfig.fromEnv({}).exchangeFix).toBeUndefined();
  });

  it('defaults the CompIDs to MSTOCK -> NSESIM (the simulator) and keeps the store under the data dir', () => {
    const config = AppConfig.fromEnv({ EXCHANGE_FIX_HOST: 'venue.internal', EXCHANGE_FIX_PORT: '9878', MSTOCK_DATA_DIR: '/var/mstock' });
    expect(config.exchangeFix).toEqual({
      host: 'venue.internal',
      port: 9878,
      senderCompId: 'MSTOCK',
      targetCompId: 'NSESIM',
      heartbeatSeconds: 30,
      storeDir: join(resolve('/var/mstock'), 'fix-initiator'),
    });
  });

  it.each([
    [{ EXCHANGE_FIX_HOST: 'venue' }, /EXCHANGE_FIX_PORT: set EXCHANGE_FIX_HOST and EXCHANGE_FIX_PORT together/],
    [{ EXCHANGE_FIX_PORT: '9878' }, /EXCHANGE_FIX_PORT/],
    [{ EXCHANGE_FIX_HOST: 'venue', EXCHANGE_FIX_PORT: '0' }, /EXCHANGE_FIX_PORT/],
    [{ EXCHANGE_FIX_SENDER_COMP_ID: 'MST OCK' }, /EXCHANGE_FIX_SENDER_COMP_ID/],
    [{ EXCHANGE_FIX_TARGET_COMP_ID: '../etc' }, /EXCHANGE_FIX_TARGET_COMP_ID/],
    [{ EXCHANGE_FIX_HEARTBEAT_SECONDS: '0' }, /EXCHANGE_FIX_HEARTBEAT_SECONDS/],
  ])('refuses %p with a message naming the variable', (env, message) => {
    expect(() => AppConfig.fromEnv(env)).toThrow(ConfigError);
    expect(() => AppConfig.fromEnv(env)).toThrow(message);
  });
});
