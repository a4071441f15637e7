// `npm start` builds first when the build is missing or older than the sources.
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { execSync } = require('node:child_process');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'src', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(entry) || ['src', 'migrations'].some((d) => newestMtime(join(root, d)) > statSync(entry).mtimeMs);
if (stale) {
  process.stdout.write('Building Mstock (first start or sources changed)...\n');
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
}
