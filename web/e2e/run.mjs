#!/usr/bin/env node
// End-to-end runner: one `veza serve` (VEZA_BIN, temporary data dir, web/dist) for every test
// file, `node --test` over e2e/tests/*.e2e.mjs with a TAP summary, then the server is stopped by
// PID and its directory removed, also on failure, timeout or Ctrl-C. Builds nothing itself.
//
//   VEZA_BIN=build/dev/veza npm run test:e2e [-- tests/shell.e2e.mjs] [-- --test-name-pattern=theme]
//
// VEZA_E2E_TIMEOUT_S bounds the whole run (default 1200: generous, machines here are shared).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kDistDir, kOutputDir, kWebDir, makeTempDir } from './support/paths.mjs';
import { startServer, vezaBin } from './support/server.mjs';
import { kChromium } from './support/browser.mjs';

const kTestsDir = path.join(kWebDir, 'e2e', 'tests');
const kTotalTimeoutMs = Number(process.env.VEZA_E2E_TIMEOUT_S ?? 1200) * 1000;
// Per test file: the screenshot file takes 40 captures, slow on a loaded 2-core machine.
const kPerTestTimeoutMs = 600_000;

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(2);
}

function preflight() {
  let bin;
  try {
    bin = vezaBin();
  } catch (error) {
    fail(error.message);
  }
  if (!fs.existsSync(path.join(kDistDir, 'index.html'))) fail(`${kDistDir} is missing: run \`npm run build\` first`);
  if (!fs.existsSync(kChromium)) fail(`${kChromium} is missing: apt-get install -y chromium`);
  return bin;
}

function testArgs(argv) {
  const files = argv.filter((a) => !a.startsWith('-')).map((f) => path.resolve(path.join(kWebDir, 'e2e'), f));
  const flags = argv.filter((a) => a.startsWith('-'));
  const all = fs
    .readdirSync(kTestsDir)
    .filter((f) => f.endsWith('.e2e.mjs'))
    .sort()
    .map((f) => path.join(kTestsDir, f));
  return [
    '--test',
    '--test-reporter=tap',
    '--test-concurrency=1',
    `--test-timeout=${kPerTestTimeoutMs}`,
    ...flags,
    ...(files.length > 0 ? files : all),
  ];
}

async function main() {
  const bin = preflight();
  fs.rmSync(kOutputDir, { recursive: true, force: true });
  fs.mkdirSync(kOutputDir, { recursive: true });

  const logPath = path.join(kOutputDir, 'server.log');
  const server = await startServer({ bin, logPath });
  console.log(`# e2e: veza pid ${server.pid} at ${server.url} (data ${server.dataDir})`);

  let child = null;
  let outcome = 'ok';
  // The tests run in their own process group (node --test, its per-file processes, Chromium), so
  // a timeout or Ctrl-C stops all of them, by that group's id.
  const signalGroup = (signal) => {
    if (!child) return false;
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  const stopChild = (signal) => void signalGroup(signal);
  const onSignal = (signal) => {
    outcome = `interrupted by ${signal}`;
    stopChild('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let testsCode = 1;
  let stopping = false;
  // Test processes make their temporary files (browser profiles, generated audio) in here, so a
  // run that is killed half-way still leaves nothing behind.
  const runDir = makeTempDir('veza-e2e-run-');
  try {
    child = spawn(process.execPath, testArgs(process.argv.slice(2)), {
      cwd: kWebDir,
      stdio: 'inherit',
      detached: true,
      env: { ...process.env, VEZA_E2E_URL: server.url, TMPDIR: runDir },
    });
    const timer = setTimeout(() => {
      outcome = `timed out after ${kTotalTimeoutMs / 1000} s`;
      stopChild('SIGTERM');
      setTimeout(() => stopChild('SIGKILL'), 5000).unref();
    }, kTotalTimeoutMs);
    void server.exited.then((status) => {
      if (stopping) return;
      if (outcome === 'ok') outcome = `veza exited during the tests: ${JSON.stringify(status)}`;
      stopChild('SIGTERM');
    });
    testsCode = await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    clearTimeout(timer);
  } finally {
    // Grandchildren may outlive node --test when it was stopped; give them 5 s, then SIGKILL.
    for (let i = 0; i < 50 && signalGroup(0); i += 1) await new Promise((r) => setTimeout(r, 100));
    signalGroup('SIGKILL');
    stopping = true;
    const status = await server.stop();
    fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    // A server that crashes or leaks (ASan aborts) on SIGTERM is a failure too.
    if (outcome === 'ok' && status && (status.code !== 0 || status.killed)) {
      outcome = `veza did not stop cleanly after SIGTERM: ${JSON.stringify(status)}`;
    }
  }

  if (outcome !== 'ok' || testsCode !== 0) {
    const log = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n');
    console.error(`e2e: ${outcome === 'ok' ? `tests failed (exit ${testsCode})` : outcome}`);
    console.error(`--- last lines of ${logPath} ---\n${log.slice(-30).join('\n')}`);
    process.exit(testsCode !== 0 ? testsCode : 1);
  }
  console.log(`# e2e: screenshots and server log in ${kOutputDir}`);
}

main().catch((error) => {
  console.error(`e2e: ${error.stack ?? error}`);
  process.exit(1);
});
