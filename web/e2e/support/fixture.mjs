import { after, before } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { sharedServer } from './server.mjs';

/**
 * Registers before/after hooks for a test file: a server (the runner's, or one of its own) and a
 * Chromium with a fresh profile. Read `env.url`, `env.newPage(options)` inside tests.
 */
export function useE2E() {
  const env = {
    server: null,
    chrome: null,
    get url() {
      return env.server.url;
    },
    newPage(options) {
      return env.chrome.newPage(options);
    },
  };
  before(async () => {
    env.server = await sharedServer();
    env.chrome = await launchBrowser({ baseURL: env.server.url });
  });
  after(async () => {
    try {
      await env.chrome?.close();
    } finally {
      await env.server?.stop();
    }
  });
  return env;
}
