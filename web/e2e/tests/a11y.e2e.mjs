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

const kAccountPages = [
  { name: 'forgot password', path: '/forgot-password' },
  { name: 'reset password', path: '/reset-password?token=abc' },
  { name: 'email verification without a token', path: '/verify-email' },
  { name: 'OAuth failure', path: '/oauth/complete?error=access_denied&provider=spotify' },
];

const kSettingsPages = [
  { name: 'settings: profile', path: '/settings/profile' },
  { name: 'settings: security', path: '/settings/security' },
  { name: 'settings: sessions', path: '/settings/sessions' },
  { name: 'settings: connected accounts', path: '/settings/connections' },
  { name: 'settings: your data', path: '/settings/data' },
];

/** Signs a new account up through the page, so the settings sections have someone to show. */
async function signUp(page) {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const username = `axe_${suffix}`;
  await gotoApp(page, '/signup');
  const main = page.locator('main');
  await main.getByRole('textbox', { name: /^Email/ }).fill(`${username}@example.com`);
  await main.getByRole('textbox', { name: /^Username/ }).fill(username);
  await main.getByLabel(/^Password/).fill(`axe-${suffix}-Secret!`);
  await main.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('banner').getByRole('button', { name: new RegExp(username) }).waitFor();
  return username;
}

for (const theme of ['dark', 'light']) {
  describe(`axe, account pages, ${theme} theme`, () => {
    for (const { name, path } of kAccountPages) {
      test(`${name} (${path}) has no serious or critical violations`, async () => {
        const page = await e2e.newPage({ theme });
        await gotoApp(page, path);
        await settle(page);
        await assertTheme(page, theme);
        const violations = await runAxe(page, { minImpact: 'serious' });
        assert.equal(violations.length, 0, `\n${formatViolations(violations)}`);
      });
    }

    test('every settings section, signed in, has no serious or critical violations', async () => {
      const page = await e2e.newPage({ theme });
      await signUp(page);
      for (const { name, path } of kSettingsPages) {
        await gotoApp(page, path);
        await page.locator('main section h2, main form h2').first().waitFor();
        await settle(page);
        await assertTheme(page, theme);
        const violations = await runAxe(page, { minImpact: 'serious' });
        assert.equal(violations.length, 0, `${name}\n${formatViolations(violations)}`);
      }
      // The states behind buttons: two-factor setup (QR code, code field) and the deletion dialog.
      await gotoApp(page, '/settings/security');
      await page.locator('main').getByRole('button', { name: 'Set up' }).click();
      await page.locator('main').getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      let violations = await runAxe(page, { minImpact: 'serious' });
      assert.equal(violations.length, 0, `2FA setup\n${formatViolations(violations)}`);
      await gotoApp(page, '/settings/data');
      await page.locator('main').getByRole('button', { name: 'Delete my account…' }).click();
      await page.getByRole('dialog').waitFor();
      violations = await runAxe(page, { minImpact: 'serious' });
      assert.equal(violations.length, 0, `delete dialog\n${formatViolations(violations)}`);
    });
  });
}
