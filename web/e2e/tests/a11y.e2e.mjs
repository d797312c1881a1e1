// axe-core on the main pages in both themes: no serious or critical violations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatViolations, gotoApp, runAxe, settle, useE2E } from '../support/index.mjs';

const e2e = useE2E();

async function assertTheme(page, theme) {
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), theme, 'the page is in the theme under test');
}

const kPages = [
  { name: 'home', path: '/' },
  { name: 'sign-in', path: '/signin' },
  { name: 'sign-up', path: '/signup' },
  { name: '404', path: '/this/path/does-not-exist' },
  { name: 'settings', path: '/settings' },
];

for (const theme of ['dark', 'light']) {
  describe(`axe, ${theme} theme`, () => {
    for (const { name, path } of kPages) {
      test(`${name} (${path}) has no serious or critical violations`, async () => {
        const page = await e2e.newPage({ theme });
        await gotoApp(page, path);
        await settle(page);
        await assertTheme(page, theme);
        const violations = await runAxe(page, { minImpact: 'serious' });
        assert.equal(violations.length, 0, `\n${formatViolations(violations)}`);
      });
    }

    test('sign-in with a server error shown has no serious or critical violations', async () => {
      const page = await e2e.newPage({ theme });
      await gotoApp(page, '/signin');
      await assertTheme(page, theme);
      await page.getByLabel('Email or username').fill('nobody');
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('main form [role="alert"]').waitFor();
      const violations = await runAxe(page, { minImpact: 'serious' });
      assert.equal(violations.length, 0, `\n${formatViolations(violations)}`);
    });

    test('the open language menu has no serious or critical violations', async () => {
      const page = await e2e.newPage({ theme });
      await gotoApp(page, '/');
      await settle(page);
      await assertTheme(page, theme);
      await page.getByRole('button', { name: 'Language' }).click();
      await page.getByRole('menu').waitFor();
      const violations = await runAxe(page, { minImpact: 'serious' });
      assert.equal(violations.length, 0, `\n${formatViolations(violations)}`);
    });
  });
}

describe('axe harness', () => {
  test('finds a violation planted in the page (the check is not vacuous)', async () => {
    const page = await e2e.newPage();
    await gotoApp(page, '/');
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.id = 'e2e-unnamed';
      document.querySelector('main').append(button);
    });
    const violations = await runAxe(page, { minImpact: 'serious' });
    assert.ok(
      violations.some((v) => v.id === 'button-name' && v.nodes.some((n) => n.includes('#e2e-unnamed'))),
      `\n${formatViolations(violations)}`,
    );
  });
});
