// Screenshots of the main pages in both themes on a desktop and a phone, written to
// test-output/e2e/screenshots/ for people to look at; each is also checked for horizontal overflow.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ensureOutputDir, gotoApp, settle, useE2E, watchConsole } from '../support/index.mjs';

const e2e = useE2E();

const kPages = [
  { name: 'home', path: '/' },
  { name: 'signin', path: '/signin' },
  { name: 'signup', path: '/signup' },
  { name: 'settings', path: '/settings' },
  { name: 'upload', path: '/upload' },
  { name: 'track-not-found', path: '/@someone/some-track-123' },
  { name: 'profile-not-found', path: '/@someone' },
  { name: '404', path: '/this/path/does-not-exist' },
  {
    name: 'signin-error',
    path: '/signin',
    async prepare(page) {
      await page.getByLabel('Email or username').fill('nobody@example.com');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('main form [role="alert"]').waitFor();
    },
  },
  {
    name: 'queue-open',
    path: '/',
    async prepare(page) {
      await page.getByRole('button', { name: 'Queue' }).click();
      await page.getByText('The queue is empty').waitFor();
    },
  },
];

for (const device of ['desktop', 'phone']) {
  for (const theme of ['dark', 'light']) {
    describe(`screenshots, ${device}, ${theme}`, () => {
      for (const { name, path: route, prepare } of kPages) {
        test(name, async () => {
          const page = await e2e.newPage({ device, theme });
          const problems = watchConsole(page);
          await gotoApp(page, route);
          await settle(page);
          if (prepare) await prepare(page);

          const dir = ensureOutputDir('screenshots');
          // What a user sees: the viewport at the top, and at the bottom when the page scrolls
          // (a full-page capture would draw the fixed player bar in the middle of the page).
          await page.screenshot({ path: path.join(dir, `${name}-${device}-${theme}.png`), animations: 'disabled' });
          const scrolls = await page.evaluate(() => document.documentElement.scrollHeight > innerHeight + 1);
          if (scrolls) {
            await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
            await page.waitForFunction(() => Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight - 1);
            await page.screenshot({ path: path.join(dir, `${name}-${device}-${theme}-bottom.png`), animations: 'disabled' });
          }

          const layout = await page.evaluate(() => {
            const width = document.documentElement.clientWidth;
            const label = (el) => {
              const r = el.getBoundingClientRect();
              return `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} [${Math.round(r.left)}, ${Math.round(r.right)}]`;
            };
            const wide = [];
            const spilled = [];
            for (const el of document.querySelectorAll('body *')) {
              const style = getComputedStyle(el);
              const rect = el.getBoundingClientRect();
              if (rect.width === 0 || el.closest('.visually-hidden')) continue;
              if (rect.right > width + 1 || rect.left < -1) wide.push(label(el));
              // In-flow boxes stay inside their parent: a row too wide for a phone shows up here
              // even when the page itself does not scroll sideways.
              const parent = el.parentElement;
              if (!parent || parent === document.body || style.position === 'absolute' || style.position === 'fixed') continue;
              const box = parent.getBoundingClientRect();
              if (rect.left < box.left - 1 || rect.right > box.right + 1) spilled.push(`${label(el)} in ${label(parent)}`);
            }
            // Scrolled to the end, the page's last content (borders included, empty padding not)
            // must clear the fixed player bar.
            const playerTop = document.querySelector('main ~ section')?.getBoundingClientRect().top ?? innerHeight;
            const contentBottom = Math.max(
              ...[...document.querySelectorAll('main *')]
                .filter((el) => el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden')
                .map((el) => el.getBoundingClientRect().bottom - parseFloat(getComputedStyle(el).paddingBottom)),
            );
            return { scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5), spilled: spilled.slice(0, 5), playerTop, contentBottom };
          });
          assert.ok(
            layout.scrollWidth <= layout.width && layout.wide.length === 0,
            `no horizontal overflow at ${layout.width}px: ${JSON.stringify(layout)}`,
          );
          assert.deepEqual(layout.spilled, [], 'no element sticks out of its parent');
          assert.ok(
            layout.contentBottom <= layout.playerTop + 0.5,
            `the end of the page (${layout.contentBottom}px) is hidden under the player bar (top ${layout.playerTop}px)`,
          );
          assert.deepEqual(problems, []);
          await page.context().close();
        });
      }
    });
  }
}
