'use strict';
/**
 * The node flags the app runs with, read from `npm start` so the benchmarks and the local cluster
 * launch replicas exactly as a user does (the Dockerfile's CMD repeats them).
 */
const { readFileSync } = require('node:fs');
const path = require('node:path');

function appNodeFlags() {
  const { scripts } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const match = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/src\/main\.js$/.exec(scripts.start);
  if (!match) throw new Error(`package.json "start" is not "node [flags] dist/src/main.js": ${scripts.start}`);
  return match[1].trim().split(' ').filter(Boolean);
}

module.exports = { appNodeFlags };
