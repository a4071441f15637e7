import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER } from './demo-user.seeder';

describe('demo user', () => {
  it('has the same public TOTP secret as the demo:totp script', () => {
    const script = readFileSync(join(__dirname, '../../../scripts/demo-totp.js'), 'utf8');
    expect(script).toContain(`'${DEMO_USER.totpSecret}'`);
  });
});
