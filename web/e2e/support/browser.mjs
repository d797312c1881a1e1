import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { makeTempDir } from './paths.mjs';

export const kChromium = process.env.VEZA_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with nothing that phones home or waits on a GPU. */
export const kChromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const kViewports = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

/**
 * Launches Chromium with a fresh --user-data-dir (removed by close()). Each newPage() gets its own
 * browser context, so pages share no cookies, storage or HTTP cache.
 */
export async function launchBrowser({ baseURL } = {}) {
  if (!fs.existsSync(kChromium)) {
    throw new Error(`${kChromium} is missing: apt-get install -y chromium (never \`npx playwright install\`)`);
  }
  const userDataDir = makeTempDir('veza-e2e-chromium-');
  let persistent;
  try {
    persistent = await chromium.launchPersistentContext(userDataDir, {
      executablePath: kChromium,
      headless: true,
      args: kChromiumFlags,
      timeout: 30_000,
    });
  } catch (error) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const browser = persistent.browser();
  const contexts = new Set();
  // Playwright closes Chromium itself when the process is told to stop; the profile goes then.
  const removeProfile = () => fs.rmSync(userDataDir, { recursive: true, force: true });
  process.on('exit', removeProfile);

  /**
   * A page in a new context. `device` is 'desktop' or 'phone'; `theme` ('dark' | 'light') and
   * `language` ('en' | 'fr') are seeded into localStorage before the app first runs (a choice the
   * page makes later wins, so reload tests see the app's own persistence).
   */
  async function newPage({ device = 'desktop', theme, language, locale = 'en-US', permissions = [] } = {}) {
    const context = await browser.newContext({
      ...kViewports[device],
      baseURL,
      locale,
      colorScheme: theme ?? 'dark',
      reducedMotion: 'reduce',
    });
    contexts.add(context);
    context.on('close', () => contexts.delete(context));
    if (permissions.length > 0) await context.grantPermissions(permissions, { origin: baseURL });
    if (theme || language) {
      await context.addInitScript(
        ([themeValue, languageValue]) => {
          try {
            if (themeValue && !localStorage.getItem('veza.theme')) {
              localStorage.setItem('veza.theme', JSON.stringify({ state: { theme: themeValue }, version: 0 }));
            }
            if (languageValue && !localStorage.getItem('veza.lang')) localStorage.setItem('veza.lang', languageValue);
          } catch {
            // about:blank has no storage.
          }
        },
        [theme ?? null, language ?? null],
      );
    }
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(15_000);
    return context.newPage();
  }

  async function close() {
    try {
      await persistent.close();
    } finally {
      process.off('exit', removeProfile);
      removeProfile();
    }
  }

  return { browser, newPage, close, userDataDir };
}

/**
 * Records what the page says went wrong: uncaught exceptions and console errors. A 4xx answer
 * from /api/ is not an error of the page (the app turns it into UI, e.g. no session yet), but a
 * missing asset, a CSP violation or a 5xx is.
 */
export function watchConsole(page) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const url = message.location()?.url ?? '';
    const failed = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(text);
    if (failed && Number(failed[1]) < 500 && new URL(url, 'http://x').pathname.startsWith('/api/')) return;
    problems.push(`console.error: ${text}${url ? ` (${url})` : ''}`);
  });
  return problems;
}
