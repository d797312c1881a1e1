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
          const file = path.join(ensureOutputDir('screenshots'), `${name}-${device}-${theme}.png`);
          await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });

          const overflow = await page.evaluate(() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
              .filter((el) => {
                const rect = el.getBoundingClientRect();
                return rect.width > 0 && (rect.right > width + 1 || rect.left < -1) && !el.closest('.visually-hidden');
              })
              .slice(0, 5)
              .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`);
            return { scrollWidth: document.documentElement.scrollWidth, width, wide };
          });
          assert.ok(
            overflow.scrollWidth <= overflow.width && overflow.wide.length === 0,
            `no horizontal overflow at ${overflow.width}px: ${JSON.stringify(overflow)}`,
          );
          assert.deepEqual(problems, []);
          await page.context().close();
        });
      }
    });
  }
}
