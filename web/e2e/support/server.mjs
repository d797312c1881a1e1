import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureOutputDir, kDistDir, makeTempDir } from './paths.mjs';

const kStartTimeoutMs = 20_000;
const kStopTimeoutMs = 10_000;

/** The veza binary from VEZA_BIN; this harness builds nothing itself. */
export function vezaBin() {
  const bin = process.env.VEZA_BIN;
  if (!bin) throw new Error('VEZA_BIN is not set: point it at a built veza binary (e.g. build/dev/veza)');
  const resolved = path.resolve(bin);
  fs.accessSync(resolved, fs.constants.X_OK);
  return resolved;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let serverCount = 0;

/**
 * Starts `veza serve` on a free loopback port with a temporary data directory and the built web
 * client. Resolves once /health answers 200. `settings` become `--set key=value` flags. The JSON
 * log goes to `logPath` (default test-output/e2e/server-<pid>-<n>.log) and stays for reading.
 *
 * Returns { url, pid, dataDir, logPath, log(), exited, stop() }; stop() sends SIGTERM to the
 * PID (SIGKILL after 10 s), removes the data directory and resolves to the exit status.
 */
export async function startServer({ bin = vezaBin(), webRoot = kDistDir, settings = {}, env = {}, logPath } = {}) {
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html is missing: run \`npm run build\` in web/ first`);
  }
  const dataDir = makeTempDir('veza-e2e-data-');
  serverCount += 1;
  logPath ??= path.join(ensureOutputDir(), `server-${process.pid}-${serverCount}.log`);
  const logFd = fs.openSync(logPath, 'w');
  const args = ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--web-root', webRoot, '--log-format', 'json'];
  // Cheapest Argon2id the server accepts: sign-ups and sign-ins take milliseconds on a busy machine.
  const defaults = { 'rate_limit.enabled': 'false', 'auth.argon2_ops': '1', 'auth.argon2_mem_kib': '8192' };
  for (const [key, value] of Object.entries({ ...defaults, ...settings })) {
    args.push('--set', `${key}=${value}`);
  }
  const child = spawn(bin, args, {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ...env },
  });
  fs.closeSync(logFd);

  let exitStatus = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
    child.on('error', (error) => {
      exitStatus = { code: null, signal: null, error };
      resolve(exitStatus);
    });
  });
  const log = () => (fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '');

  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      if (exitStatus === null && child.pid !== undefined) {
        process.kill(child.pid, 'SIGTERM');
        const timer = sleep(kStopTimeoutMs).then(() => 'timeout');
        if ((await Promise.race([exited, timer])) === 'timeout') {
          process.kill(child.pid, 'SIGKILL');
          await exited;
          exitStatus = { ...exitStatus, killed: true };
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      return exitStatus;
    })();
    return stopped;
  };

  try {
    const url = await waitForUrl(log, () => exitStatus);
    await waitForHealth(url, () => exitStatus);
    return { url, pid: child.pid, dataDir, logPath, log, exited, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- veza log ---\n${log()}`);
  }
}

/** The JSON log line `veza is serving` carries the URL with the port the kernel chose. */
async function waitForUrl(log, exitStatus) {
  const deadline = Date.now() + kStartTimeoutMs;
  while (Date.now() < deadline) {
    for (const line of log().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'veza is serving' && typeof entry.url === 'string') return entry.url;
      } catch {
        // A line still being written.
      }
    }
    if (exitStatus()) throw new Error(`veza exited before serving: ${JSON.stringify(exitStatus())}`);
    await sleep(50);
  }
  throw new Error(`veza did not log its URL within ${kStartTimeoutMs} ms`);
}

async function waitForHealth(url, exitStatus) {
  const deadline = Date.now() + kStartTimeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (exitStatus()) throw new Error(`veza exited during start: ${JSON.stringify(exitStatus())}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(100);
  }
  throw new Error(`${url}/health did not answer 200 within ${kStartTimeoutMs} ms (${last})`);
}

/**
 * The server the tests talk to: the runner's (VEZA_E2E_URL) when there is one, else a server of
 * this file's own, so a single test file can be run with `node --test` directly.
 */
export async function sharedServer() {
  const url = process.env.VEZA_E2E_URL;
  if (url) return { url, stop: async () => null };
  return startServer();
}
