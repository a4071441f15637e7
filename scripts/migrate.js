// npm run migration:run | migration:revert | migration:generate -- <Name>
// Uses the same config and DataSource factory as the app (embedded PGlite when DATABASE_URL is unset;
// stop the app first then, PGlite's data directory has one owner).
const { execSync } = require('node:child_process');
const { readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
execSync('node scripts/ensure-build.js', { cwd: root, stdio: 'inherit' });
const dist = (p) => require(join(root, 'dist', p));
const { AppConfig } = dist('src/common/config/app-config');
const { createDataSource } = dist('src/common/database/data-source.factory');
const { EmbeddedPostgres } = dist('src/common/database/embedded-postgres');

function entityClasses(dir = join(root, 'dist', 'src')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return entityClasses(p);
    return e.name.endsWith('.entity.js') ? Object.values(require(p)).filter((v) => typeof v === 'function') : [];
  });
}

async function main() {
  const [command, name] = process.argv.slice(2);
  if (!['run', 'revert', 'generate'].includes(command)) throw new Error('usage: migrate.js run | revert | generate <Name>');
  const config = AppConfig.fromEnv();
  const embedded = config.database.embedded ? await new EmbeddedPostgres(join(config.dataDir, 'pg')).start() : undefined;
  const ds = createDataSource({ config, embedded, entities: entityClasses() });
  try {
    await ds.initialize();
    if (command === 'run') {
      const ran = await ds.runMigrations({ transaction: 'each' });
      console.log(ran.length ? `applied: ${ran.map((m) => m.name).join(', ')}` : 'schema is up to date');
    } else if (command === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else {
      if (!/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) throw new Error('generate needs a PascalCase name: migration:generate -- AddAlerts');
      await ds.runMigrations({ transaction: 'each' });
      const sql = await ds.driver.createSchemaBuilder().log();
      if (!sql.upQueries.length) return console.log('entities match the schema: nothing to generate');
      const ts = Date.now();
      const q = (list) => list.map((x) => `    await q.query(${JSON.stringify(x.query)}${x.parameters?.length ? `, ${JSON.stringify(x.parameters)}` : ''});`).join('\n');
      const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
      const file = join(root, 'migrations', `${ts}-${kebab}.ts`);
      writeFileSync(
        file,
        `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${ts} implements MigrationInterface {\n  name = '${name}${ts}';\n\n  async up(q: QueryRunner): Promise<void> {\n${q(sql.upQueries)}\n  }\n\n  async down(q: QueryRunner): Promise<void> {\n${q(sql.downQueries.reverse())}\n  }\n}\n`,
      );
      console.log(`wrote ${file}\nread it, then add ${name}${ts} to migrations/index.ts`);
    }
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
