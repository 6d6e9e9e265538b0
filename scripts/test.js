#!/usr/bin/env node
/*
 * `npm test`: every package's tests (Jest through backstage-cli), with the
 * store tests on PostgreSQL as well as SQLite when a server answers, then the
 * end-to-end test of the real portal in headless Chromium.
 *
 * Environment:
 *   MLOPS_TEST_POSTGRES_URL  PostgreSQL server for store tests
 *                            (default postgresql://postgres@127.0.0.1:5432)
 *   MLOPS_SKIP_E2E=1         run the Jest suites only
 */
const { spawnSync } = require('child_process');
const net = require('net');

const PG_URL =
  process.env.MLOPS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise(resolve => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function run(command, args, env) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status ?? 1;
}

async function main() {
  // TestDatabases would otherwise try to start databases in Docker under CI.
  const env = { ...process.env, BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
  if (await reachable(PG_URL)) {
    env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING = PG_URL;
    console.log(`Store tests run on SQLite and on PostgreSQL at ${new URL(PG_URL).host}`);
  } else {
    console.log(`No PostgreSQL at ${new URL(PG_URL).host}: store tests run on SQLite only`);
  }

  const extraArgs = process.argv.slice(2);
  let status = run(
    'npx',
    ['backstage-cli', 'repo', 'test', '--watchAll=false', ...extraArgs],
    env,
  );
  if (status === 0 && !process.env.MLOPS_SKIP_E2E && extraArgs.length === 0) {
    status = run('node', ['e2e/run.js'], env);
  }
  process.exit(status);
}

main();
