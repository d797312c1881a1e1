import assert from 'node:assert/strict';

/**
 * Opens `path` and waits until the shell (top bar, main, player bar) and the routed page's heading
 * are rendered. Returns the navigation's response (the document).
 */
export async function gotoApp(page, path) {
  const response = await page.goto(path, { waitUntil: 'domcontentloaded' });
  await page.getByRole('banner').waitFor();
  await page.locator('main h1').first().waitFor();
  return response;
}

/** Waits until nothing is loading: no request in flight for 500 ms and no skeleton left. */
export async function settle(page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelectorAll('[class*="skeleton" i]').length === 0);
  // Fonts and images decoded, so screenshots show the final layout.
  await page.evaluate(() => document.fonts.ready);
}

/** The shell every page shares. */
export async function assertShell(page) {
  const banner = page.getByRole('banner');
  await assert.doesNotReject(banner.getByRole('link', { name: 'Veza' }).waitFor({ state: 'visible' }));
  await page.getByRole('navigation').first().waitFor({ state: 'visible' });
  await page.getByRole('region', { name: /player|lecteur/i }).waitFor({ state: 'visible' });
}

/** The server's error envelope for a request, as the app would receive it. */
export async function fetchEnvelope(baseUrl, path, init = {}) {
  const response = await fetch(new URL(path, baseUrl), init);
  const body = await response.json();
  return { status: response.status, requestIdHeader: response.headers.get('x-request-id'), ...body };
}

/** The element with keyboard focus, described for assertions and messages. */
/** Resolves after two animation frames: style changes (and their 0.01 ms reduced-motion transitions) have applied. */
export function nextFrames(page) {
  return page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

export function describeFocus(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      name: (el.getAttribute('aria-label') || el.textContent || '').trim().replace(/\s+/g, ' '),
      inBanner: !!el.closest('header'),
      inMain: !!el.closest('main'),
      inPlayer: !!el.closest('[aria-label="Player"], [aria-label="Lecteur"]'),
      focusVisible: el.matches(':focus-visible'),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      ringVisible:
        (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1) || style.boxShadow !== 'none',
      onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < innerHeight,
    };
  });
}

/**
 * Milliseconds from navigation start until, for every selector in `controls`, some matching
 * element is visible and enabled (measured in the page on each animation frame, so the figure
 * is the page's own clock, not the test's round trips).
 */
export async function timeToInteractive(page, path, controls) {
  await page.addInitScript((selectors) => {
    const usable = (el) => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return (
        rect.width > 0 &&
        rect.height > 0 &&
        style.visibility !== 'hidden' &&
        style.opacity !== '0' &&
        !el.disabled &&
        el.getAttribute('aria-disabled') !== 'true' &&
        el.getAttribute('aria-busy') !== 'true' &&
        !el.closest('[inert]')
      );
    };
    const tick = () => {
      if (selectors.every((s) => [...document.querySelectorAll(s)].some(usable))) {
        window.__vezaInteractiveMs = performance.now();
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, controls);
  await page.goto(path, { waitUntil: 'commit' });
  await page.waitForFunction(() => typeof window.__vezaInteractiveMs === 'number', null, { timeout: 15_000 });
  return page.evaluate(() => window.__vezaInteractiveMs);
}

/**
 * The JavaScript files a page has fetched so far (scripts and module preloads, from its resource
 * timing), with their size as served and gzipped.
 */
export async function loadedScripts(page) {
  const { gzipSync } = await import('node:zlib');
  const urls = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((name) => new URL(name).pathname.endsWith('.js')),
  );
  const scripts = [];
  for (const url of [...new Set(urls)]) {
    const response = await fetch(url, { headers: { 'Accept-Encoding': 'identity' } });
    const bytes = Buffer.from(await response.arrayBuffer());
    scripts.push({ path: new URL(url).pathname, bytes: bytes.length, gzip: gzipSync(bytes).length });
  }
  return scripts;
}
