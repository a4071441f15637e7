// Prints the demo user's current TOTP code (embedded/demo mode only: its secret is public on purpose).
const speakeasy = require('speakeasy');
const DEMO_SECRET = 'KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD'; // keep in step with src/modules/auth/demo-user.seeder.ts
const code = speakeasy.totp({ secret: DEMO_SECRET, encoding: 'base32', step: 30 });
const left = 30 - (Math.floor(Date.now() / 1000) % 30);
process.stdout.write(`${code}  (valid ${left}s more)\n`);
