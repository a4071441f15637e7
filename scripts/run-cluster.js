#!/usr/bin/env node
/**
 * A local stand-in for docker/compose.yml, for a machine without Docker: N app replicas
 * (node dist/src/main.js on 127.0.0.1:3001..300N) against this machine's Postgres and Redis,
 * behind nginx on 127.0.0.1:8080 with the same config as the compose stack (ip_hash, WebSocket
 * upgrade, timeouts), generated from docker/nginx/nginx.conf.
 *
 *   node scripts/run-cluster.js [--replicas 3] [--port 8080] [--base-port 3001]
 *                               [--no-nginx] [--ready-timeout 120] [--smoke]
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mstock_cluster, created with
 * psql when missing), REDIS_URL (default redis://127.0.0.1:6379/0) or REDIS_SENTINELS,
 * REDIS_KEY_PREFIX (default mstock-cluster:), MSTOCK_DATA_DIR (default ./data/cluster), NGINX_BIN;
 * anything else in .env.example is passed through to the replicas. JWT_SECRET and
 * TOTP_ENCRYPTION_KEY must be the same on every replica: taken from the env, else generated
 * once and kept in <data dir>/secrets.json.
 *
 * --smoke starts everything, checks readiness directly and through nginx, stops, and exits 0
 * or 1. Ctrl-C (or SIGTERM) stops the replicas gracefully. Everything listens on loopback only.
 * No dependencies beyond Node itself. See docs/deployment.md.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { appNodeFlags } = require('./app-node-flags');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { parseArgs } = require('node:util');

const ROOT = path.join(__dirname, '..');
const NGINX_TEMPLATE = path.join(ROOT, 'docker', 'nginx', 'nginx.conf');
const ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');

const USAGE = `usage: node scripts/run-cluster.js [--replicas N] [--port P] [--base-port B] [--no-nginx] [--ready-timeout S] [--smoke]
  --replicas N       app replicas (default 3), on ports B..B+N-1
  --port P           nginx listen port on 127.0.0.1 (default 8080)
  --base-port B      first replica port (default 3001)
  --no-nginx         do not start nginx, even when installed
  --ready-timeout S  seconds to wait for each /health/ready (default 120)
  --smoke            start, check readiness (directly and through nginx), stop; exit 0 or 1`;

// ---------------------------------------------------------------------------------------------
// options

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        replicas: { type: 'string', short: 'n', default: '3' },
        port: { type: 'string', short: 'p', default: '8080' },
        'base-port': { type: 'string', default: '3001' },
        'no-nginx': { type: 'boolean', default: false },
        'ready-timeout': { type: 'string', default: '120' },
        smoke: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    fail(`${err.message}\n${USAGE}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in ${min}..${max}\n${USAGE}`, 2);
    return n;
  };
  const opts = {
    replicas: int('replicas', 1, 32),
    port: int('port', 1, 65535),
    basePort: int('base-port', 1, 65535),
    readyTimeoutMs: int('ready-timeout', 1, 3600) * 1000,
    nginx: !values['no-nginx'],
    smoke: values.smoke,
  };
  if (opts.basePort + opts.replicas - 1 > 65535) fail('--base-port + --replicas goes past port 65535', 2);
  const appPorts = Array.from({ length: opts.replicas }, (_, i) => opts.basePort + i);
  if (opts.nginx && appPorts.includes(opts.port)) fail(`--port ${opts.port} collides with a replica port`, 2);
  return { ...opts, appPorts };
}

// ---------------------------------------------------------------------------------------------
// output

function log(msg) {
  process.stdout.write(`[cluster] ${msg}\n`);
}

function fail(msg, code = 1) {
  process.stderr.write(`[cluster] ${msg}\n`);
  process.exit(code);
}

/** The URL with its password hidden, for printing. */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

// ---------------------------------------------------------------------------------------------
// preparation: build, database, ports, nginx

function ensureBuild() {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-build.js')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(ENTRY)) fail(`build failed (node scripts/ensure-build.js exited ${r.status})`);
}

/** Creates the database named in DATABASE_URL when it is missing (psql, else the pg package). */
async function ensureDatabase(databaseUrl) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name || name === 'postgres') return;
  // Quoted as an identifier below; keep it to characters that need no escaping.
  if (!/^[A-Za-z0-9_-]+$/.test(name)) fail(`database name "${name}" in DATABASE_URL: use letters, digits, _ and - only`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const exists = `SELECT 1 FROM pg_database WHERE datname = '${name}'`;
  const create = `CREATE DATABASE "${name}"`;

  const psql = (sql) => spawnSync('psql', [admin.toString(), '-XtAq', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' });
  let r = psql(exists);
  if (r.error && r.error.code === 'ENOENT') return ensureDatabaseWithPg(admin.toString(), name, exists, create);
  if (r.status !== 0) fail(`cannot reach Postgres at ${redact(admin.toString())}: ${(r.stderr || '').trim()}`);
  if (r.stdout.trim() === '1') return;
  r = psql(create);
  if (r.status !== 0 && !/already exists/.test(r.stderr)) fail(`could not create database ${name}: ${r.stderr.trim()}`);
  log(`created database ${name}`);
}

async function ensureDatabaseWithPg(adminUrl, name, exists, create) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    if ((await client.query(exists)).rowCount) return;
    await client.query(create).catch((err) => {
      if (!/already exists/.test(err.message)) throw err;
    });
    log(`created database ${name}`);
  } catch (err) {
    fail(`cannot prepare database ${name} at ${redact(adminUrl)}: ${err.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Secrets every replica must share (a token signed by app1 is verified by app2; production
 * mode refuses to start without them). From the env, else made once and kept for later runs.
 */
function sharedSecrets(dataDir) {
  const file = path.join(dataDir, 'secrets.json');
  let kept = {};
  try {
    kept = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* first run */
  }
  const secrets = {
    JWT_SECRET: process.env.JWT_SECRET || kept.JWT_SECRET || crypto.randomBytes(48).toString('base64'),
    TOTP_ENCRYPTION_KEY: process.env.TOTP_ENCRYPTION_KEY || kept.TOTP_ENCRYPTION_KEY || crypto.randomBytes(32).toString('base64'),
  };
  if (!process.env.JWT_SECRET || !process.env.TOTP_ENCRYPTION_KEY) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ ...kept, ...secrets }, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

function assertPortFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err) => fail(`127.0.0.1:${port} is not free (${err.code}); pick other ports with --port/--base-port`));
    srv.listen(port, '127.0.0.1', () => srv.close(resolve));
  });
}

function findNginx() {
  const candidates = process.env.NGINX_BIN
    ? [process.env.NGINX_BIN]
    : [...(process.env.PATH || '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'nginx')), '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];
  return candidates.find((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * docker/nginx/nginx.conf, adapted: replicas on 127.0.0.1 ports, loopback listen, paths in a
 * temp dir, foreground. Throws if the template no longer has the lines this relies on.
 */
function nginxConfig(template, { port, appPorts, dir }) {
  const replace = (text, re, by, what) => {
    if (!re.test(text)) throw new Error(`docker/nginx/nginx.conf: cannot find ${what}`);
    return text.replace(re, by);
  };
  let conf = template;
  conf = replace(
    conf,
    /^([ \t]*)# BEGIN replicas\n[\s\S]*?^[ \t]*# END replicas$/m,
    (_, indent) =>
      [`${indent}# BEGIN replicas`, ...appPorts.map((p) => `${indent}server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`), `${indent}# END replicas`].join('\n'),
    'the "# BEGIN replicas" ... "# END replicas" block',
  );
  conf = replace(conf, /^([ \t]*)listen 8080;$/m, `$1listen 127.0.0.1:${port};`, '"listen 8080;"');
  // Stay inside this shell's hard limit on descriptors (the file is sized for a server).
  const out = (spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout || '').trim();
  const hard = out === 'unlimited' ? 131072 : Number(out) || 1024;
  const rlimit = Math.min(131072, hard);
  conf = replace(conf, /^worker_rlimit_nofile \d+;$/m, `worker_rlimit_nofile ${rlimit};`, 'the "worker_rlimit_nofile" line');
  conf = replace(conf, /^([ \t]*)worker_connections \d+;$/m, `$1worker_connections ${Math.min(32768, Math.floor(rlimit / 2))};`, 'the "worker_connections" line');
  conf = replace(conf, /^user [^;]*;$/m, '# (user: whoever runs this script)', 'the "user" line');
  conf = replace(conf, /^pid [^;]*;$/m, `pid ${dir}/nginx.pid;\ndaemon off;`, 'the "pid" line');
  // Node gives children socketpairs for stdio, which nginx cannot open() as /dev/stdout.
  conf = replace(conf, /^([ \t]*)access_log \/dev\/stdout (\w+);$/m, `$1access_log ${dir}/access.log $2;`, 'the "access_log /dev/stdout" line');
  conf = replace(
    conf,
    /^http \{$/m,
    [
      'http {',
      `    client_body_temp_path ${dir}/client_body;`,
      `    proxy_temp_path ${dir}/proxy;`,
      `    fastcgi_temp_path ${dir}/fastcgi;`,
      `    uwsgi_temp_path ${dir}/uwsgi;`,
      `    scgi_temp_path ${dir}/scgi;`,
      '    # Local only: which replica answered (shows the ip_hash stickiness).',
      '    add_header X-Mstock-Upstream $upstream_addr always;',
    ].join('\n'),
    'the "http {" line',
  );
  return conf;
}

// ---------------------------------------------------------------------------------------------
// children

const children = [];
let stopping = false;

function startChild(name, command, args, env) {
  // Own process group: a terminal Ctrl-C reaches only this script, which then stops the
  // children in order (and can still SIGKILL their groups if they hang).
  const proc = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { name, proc, alive: true };
  child.exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => {
      child.alive = false;
      child.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      if (!stopping) log(`${name} exited unexpectedly (${child.exitInfo})`);
      resolve();
      if (!stopping && children.length && children.every((c) => !c.alive || c.name === 'nginx')) {
        void stop(1, 'no replica left');
      }
    });
    proc.once('error', (err) => {
      child.alive = false;
      child.exitInfo = err.message;
      log(`${name} failed to start: ${err.message}`);
      resolve();
    });
  });
  for (const stream of [proc.stdout, proc.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  children.push(child);
  return child;
}

function signalGroup(child, signal) {
  if (!child.alive) return;
  try {
    process.kill(-child.proc.pid, signal);
  } catch {
    try {
      child.proc.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

let tmpDir;

async function stop(code, reason) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${reason})`);
  const graceMs = (Number(process.env.SHUTDOWN_GRACE_MS) || 10_000) + 5_000;
  for (const c of children) {
    if (!c.alive) continue;
    // nginx: SIGQUIT = finish in-flight requests, then exit (bounded by worker_shutdown_timeout).
    // Replicas: SIGTERM = report not-ready, drain, close (src/main.ts).
    if (c.name === 'nginx') c.proc.kill('SIGQUIT');
    else c.proc.kill('SIGTERM');
  }
  const killer = setTimeout(() => {
    for (const c of children) {
      if (c.alive) {
        log(`${c.name} still running after ${graceMs} ms: SIGKILL`);
        signalGroup(c, 'SIGKILL');
      }
    }
  }, graceMs);
  await Promise.all(children.map((c) => c.exited));
  clearTimeout(killer);
  for (const c of children) log(`${c.name} stopped (${c.exitInfo})`);
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  process.exit(code);
}

function handleSignals() {
  // A second Ctrl-C does not wait for the drain.
  process.on('SIGINT', () => (stopping ? children.forEach((c) => signalGroup(c, 'SIGKILL')) : void stop(130, 'SIGINT')));
  process.on('SIGTERM', () => void stop(143, 'SIGTERM'));
  // Last resort if this script dies on an exception: leave nothing running behind.
  process.on('exit', () => children.forEach((c) => signalGroup(c, 'SIGKILL')));
}

// ---------------------------------------------------------------------------------------------
// readiness

function get(url, { timeoutMs = 3000, localAddress } = {}) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message, headers: {} }));
  });
}

async function waitReady(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (child && !child.alive) throw new Error(`${child.name} exited (${child.exitInfo}) before ${url} was ready`);
    last = await get(url);
    if (last.status === 200) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s (last: ${last ? `${last.status} ${last.body.slice(0, 300)}` : 'no answer'})`);
}

/**
 * Calls /health/ready through nginx from several loopback source addresses (127.0.k.1, each
 * its own /24 for ip_hash), twice each, and reports which replica answered.
 */
async function probeThroughNginx(port, sources) {
  const routes = [];
  for (const localAddress of sources) {
    const first = await get(`http://127.0.0.1:${port}/health/ready`, { localAddress });
    const again = await get(`http://127.0.0.1:${port}/health/ready`, { localAddress });
    routes.push({
      from: localAddress,
      status: first.status,
      upstream: first.headers['x-mstock-upstream'] || '?',
      sticky: first.headers['x-mstock-upstream'] === again.headers['x-mstock-upstream'],
    });
  }
  return routes;
}

// ---------------------------------------------------------------------------------------------
// main

async function main() {
  const opts = parseOptions();
  handleSignals();
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mstock_cluster';
  const sentinels = process.env.REDIS_SENTINELS;
  const redisUrl = sentinels ? '' : process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';
  const keyPrefix = process.env.REDIS_KEY_PREFIX || 'mstock-cluster:';
  const dataDir = path.resolve(ROOT, process.env.MSTOCK_DATA_DIR || path.join('data', 'cluster'));

  const nginxBin = opts.nginx ? findNginx() : undefined;
  if (opts.nginx && !nginxBin) log('nginx not found (set NGINX_BIN, or apt-get install nginx): running the replicas without it');

  for (const p of [...opts.appPorts, ...(nginxBin ? [opts.port] : [])]) await assertPortFree(p);
  ensureBuild();
  await ensureDatabase(databaseUrl);
  const secrets = sharedSecrets(dataDir);

  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mstock-cluster-'));
  // nginx workers drop to an unprivileged user when started as root: let them into the dir.
  fs.chmodSync(tmpDir, 0o755);

  const replicaEnv = (i, port) => ({
    ...process.env,
    NODE_ENV: process.env.NODE_ENV || 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    // Empty counts as unset for the app: exactly one of the two reaches it.
    REDIS_URL: redisUrl,
    REDIS_SENTINELS: sentinels || '',
    REDIS_KEY_PREFIX: keyPrefix,
    HTTP_TRUST_PROXY: nginxBin ? 'true' : process.env.HTTP_TRUST_PROXY || 'false',
    ...secrets,
    // Per replica: nothing in it may be shared between two processes (e.g. a simulator journal).
    MSTOCK_DATA_DIR: path.join(dataDir, `app${i}`),
    FIX_SENDER_COMP_ID: process.env.FIX_SENDER_COMP_ID || `MSTOCK${i}`,
  });
  const replicas = opts.appPorts.map((port, idx) => ({ name: `app${idx + 1}`, port, env: replicaEnv(idx + 1, port) }));
  const startReplica = (r) => {
    r.child = startChild(r.name, process.execPath, [...appNodeFlags(), ENTRY], r.env);
    return waitReady(`http://127.0.0.1:${r.port}/health/ready`, r.child, opts.readyTimeoutMs);
  };

  // As in compose: the first replica applies pending migrations alone (TypeORM takes no lock),
  // the others start once it is ready.
  log(`starting ${replicas.length} replica(s); ${replicas[0].name} first (it runs pending migrations)`);
  await startReplica(replicas[0]);
  log(`${replicas[0].name} ready on 127.0.0.1:${replicas[0].port}`);
  await Promise.all(
    replicas.slice(1).map((r) => startReplica(r).then(() => log(`${r.name} ready on 127.0.0.1:${r.port}`))),
  );

  let routes = [];
  if (nginxBin) {
    const conf = path.join(tmpDir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConfig(fs.readFileSync(NGINX_TEMPLATE, 'utf8'), { port: opts.port, appPorts: opts.appPorts, dir: tmpDir }));
    const test = spawnSync(nginxBin, ['-t', '-q', '-p', tmpDir, '-c', conf, '-e', 'stderr'], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`nginx -t rejected ${conf}:\n${test.stderr}`);
    const nginx = startChild('nginx', nginxBin, ['-p', tmpDir, '-c', conf, '-e', 'stderr'], process.env);
    await waitReady(`http://127.0.0.1:${opts.port}/nginx-health`, nginx, 15_000);
    await waitReady(`http://127.0.0.1:${opts.port}/health/ready`, nginx, opts.readyTimeoutMs);
    routes = await probeThroughNginx(opts.port, Array.from({ length: Math.max(8, opts.replicas * 4) }, (_, k) => `127.0.${k}.1`));
  }

  const lines = ['Mstock cluster is up'];
  if (nginxBin) {
    lines.push(`  through nginx   http://127.0.0.1:${opts.port}   (API /api/v1, docs /docs, socket.io /socket.io/)`);
    lines.push(`  nginx log       ${path.join(tmpDir, 'access.log')} (removed on stop)`);
  }
  for (const r of replicas) lines.push(`  ${r.name.padEnd(15)} http://127.0.0.1:${r.port}`);
  lines.push(`  database        ${redact(databaseUrl)}`);
  lines.push(`  data dir        ${dataDir} (shared secrets in secrets.json, one subdirectory per replica)`);
  lines.push(`  redis           ${sentinels ? `sentinels ${sentinels}` : redact(redisUrl)} (key prefix ${keyPrefix})`);
  if (routes.length) {
    lines.push('  nginx ip_hash routes (client address -> replica, status, same replica on repeat):');
    for (const r of routes) lines.push(`    ${r.from.padEnd(12)} -> ${r.upstream} ${r.status} ${r.sticky ? 'sticky' : 'NOT STICKY'}`);
  }
  if (!opts.smoke) lines.push('Ctrl-C stops everything.');
  process.stdout.write(`${lines.join('\n')}\n`);

  if (opts.smoke) {
    const reached = new Set(routes.map((r) => r.upstream));
    const problems = [];
    if (routes.some((r) => r.status !== 200)) problems.push('a request through nginx was not 200');
    if (routes.some((r) => !r.sticky)) problems.push('a client address moved between replicas');
    if (nginxBin && reached.size < replicas.length) {
      // Not a failure: with few probes, ip_hash may simply not pick every replica.
      log(`note: the probes reached ${reached.size} of ${replicas.length} replicas through nginx`);
    }
    if (problems.length) log(`smoke: FAILED: ${problems.join('; ')}`);
    else log('smoke: OK');
    await stop(problems.length ? 1 : 0, 'smoke test done');
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`[cluster] ${err instanceof Error ? err.message : String(err)}\n`);
    if (children.length) void stop(1, 'start-up failed');
    else process.exit(1);
  });
} else {
  // For tests: the nginx config this script would run.
  module.exports = { nginxConfig, NGINX_TEMPLATE };
}
