// The application shell against the real server: home, deep links, 404, theme, language, keyboard.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertShell, describeFocus, fetchEnvelope, gotoApp, nextFrames, settle, useE2E, watchConsole } from '../support/index.mjs';

const e2e = useE2E();

describe('home page', () => {
  test('renders title, top bar, page and player bar with no console errors', async () => {
    const page = await e2e.newPage();
    const problems = watchConsole(page);
    const response = await gotoApp(page, '/');
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    await assertShell(page);
    await settle(page);

    assert.equal(await page.title(), 'Latest tracks · Veza');
    assert.equal(await page.locator('main h1').textContent(), 'Latest tracks');
    const banner = page.getByRole('banner');
    const nav = banner.getByRole('navigation', { name: 'Main' });
    assert.equal(await nav.getByRole('link', { name: 'Home' }).getAttribute('aria-current'), 'page');
    await nav.getByRole('link', { name: 'Upload' }).waitFor();
    await banner.getByRole('link', { name: 'Sign in' }).waitFor();

    const player = page.getByRole('region', { name: 'Player' });
    await player.getByText('Nothing playing').waitFor();
    assert.equal(await player.getByRole('button', { name: 'Play', exact: true }).isDisabled(), true);
    assert.equal(await player.getByRole('slider', { name: 'Volume' }).isEnabled(), true);

    // The list shows what the server answers for the latest tracks: its error, or its items.
    const latest = await fetchEnvelope(e2e.url, '/api/v1/tracks');
    const main = page.locator('main');
    if (latest.error) {
      const alert = main.getByRole('alert');
      await alert.getByText(latest.error.message, { exact: true }).waitFor();
      await alert.getByRole('button', { name: 'Copy request id' }).waitFor();
      await alert.getByRole('button', { name: 'Try again' }).waitFor();
    } else if (latest.items.length === 0) {
      await main.getByRole('heading', { name: 'No tracks yet' }).waitFor();
    } else {
      await main.getByRole('link', { name: latest.items[0].title }).first().waitFor();
    }
    assert.deepEqual(problems, []);
  });

  test('the error state copies the request id the server sent', async (t) => {
    const latest = await fetchEnvelope(e2e.url, '/api/v1/tracks');
    if (!latest.error) return t.skip('GET /api/v1/tracks succeeds now; the home page shows no error state');
    const page = await e2e.newPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    const seen = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/tracks');
    await gotoApp(page, '/');
    const answer = await (await seen).json();
    const alert = page.locator('main').getByRole('alert');
    const shownId = (await alert.locator('code').textContent()).trim();
    assert.equal(shownId, answer.error.request_id);
    await alert.getByRole('button', { name: 'Copy request id' }).click();
    await page.getByText('Request id copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shownId);
  });
});

describe('deep links load the app', () => {
  test('a track URL is routed by the app, which asks the API for the track id', async () => {
    const page = await e2e.newPage();
    const problems = watchConsole(page);
    const trackRequest = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/tracks/123');
    const response = await gotoApp(page, '/@someone/some-track-123');
    assert.equal(response.status(), 200, 'the server answers a deep link with the app, not a 404');
    assert.match(response.headers()['content-type'], /^text\/html/);
    await trackRequest;
    await assertShell(page);
    // No such track on a fresh server: the track page's own not-found text, not the generic one.
    await page.getByText('This track does not exist or is not public.').waitFor();
    assert.deepEqual(problems, []);
  });

  test('/settings renders the settings page', async () => {
    const page = await e2e.newPage();
    const problems = watchConsole(page);
    const response = await gotoApp(page, '/settings');
    assert.equal(response.status(), 200);
    assert.equal(await page.locator('main h1').textContent(), 'Settings');
    assert.equal(await page.title(), 'Settings · Veza');
    await assertShell(page);
    await settle(page);
    assert.deepEqual(problems, []);
  });

  test('a profile URL of an unknown user shows the profile not-found text', async () => {
    const page = await e2e.newPage();
    const response = await gotoApp(page, '/@nobody-here');
    assert.equal(response.status(), 200);
    await page.getByText('This profile does not exist or is private.').waitFor();
  });
});

describe('404', () => {
  for (const path of ['/this/path/does-not-exist', '/not-a-handle']) {
    test(`${path} shows the not-found page with a way home`, async () => {
      const page = await e2e.newPage();
      const problems = watchConsole(page);
      await gotoApp(page, path);
      assert.equal(await page.locator('main h1').textContent(), 'Page not found');
      assert.equal(await page.title(), 'Page not found · Veza');
      await page.getByText('There is nothing at this address.', { exact: false }).waitFor();
      await assertShell(page);
      await page.locator('main').getByRole('link', { name: 'Back to home' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      // The home page's chunk may still be loading when the URL changes.
      await page.locator('main h1', { hasText: 'Latest tracks' }).waitFor();
      assert.deepEqual(problems, []);
    });
  }

  test('an unknown API path answers a JSON 404 envelope, not the app', async () => {
    const envelope = await fetchEnvelope(e2e.url, '/api/v1/no-such-endpoint');
    assert.equal(envelope.status, 404);
    assert.equal(envelope.error.code, 'not_found');
    assert.equal(envelope.error.request_id, envelope.requestIdHeader);
  });
});

describe('theme', () => {
  test('dark by default; the toggle switches to light and the choice survives a reload', async () => {
    const page = await e2e.newPage();
    await gotoApp(page, '/');
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await theme(), 'dark');
    const darkBackground = await background();

    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    assert.equal(await theme(), 'light');
    await nextFrames(page);
    assert.notEqual(await background(), darkBackground);

    await page.reload();
    await page.locator('main h1').waitFor();
    assert.equal(await theme(), 'light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.reload();
    await page.locator('main h1').waitFor();
    assert.equal(await theme(), 'dark');
    assert.equal(await background(), darkBackground);
  });
});

describe('language', () => {
  test('switching to French changes the strings and <html lang>, and survives a reload', async () => {
    const page = await e2e.newPage();
    await gotoApp(page, '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');

    await page.getByRole('button', { name: 'Language' }).click();
    const menu = page.getByRole('menu', { name: 'Language' });
    assert.equal(await menu.getByRole('menuitemradio', { name: 'English' }).getAttribute('aria-checked'), 'true');
    await menu.getByRole('menuitemradio', { name: 'Français' }).click();

    const check = async () => {
      await page.locator('main h1', { hasText: 'Derniers morceaux' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.equal(await page.title(), 'Derniers morceaux · Veza');
      const nav = page.getByRole('navigation', { name: 'Principale' });
      await nav.getByRole('link', { name: 'Accueil' }).waitFor();
      await page.getByRole('region', { name: 'Lecteur' }).getByText('Aucune lecture').waitFor();
      await page.getByRole('link', { name: 'Se connecter' }).waitFor();
    };
    await check();
    await page.reload();
    await check();
  });

  test('a French browser starts in French', async () => {
    const page = await e2e.newPage({ locale: 'fr-FR' });
    await gotoApp(page, '/');
    await page.locator('main h1', { hasText: 'Derniers morceaux' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  });
});

describe('keyboard', () => {
  test('Tab reaches the main controls in order, each with a visible focus ring', async () => {
    const page = await e2e.newPage();
    await gotoApp(page, '/');
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await settle(page);

    const stops = [];
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press('Tab');
      await nextFrames(page);
      const focus = await describeFocus(page);
      if (!focus || (stops.length > 0 && focus.name === stops[0].name)) break;
      stops.push(focus);
    }
    const names = stops.map((s) => s.name);
    const expected = [
      'Skip to content',
      'Veza',
      'Home',
      'Upload',
      'Switch to light theme',
      'Language',
      'Settings',
      'Sign in',
      'Shuffle: off',
      'Repeat: off',
      'Mute',
      'Volume',
      'Queue',
    ];
    let last = -1;
    for (const name of expected) {
      const at = names.indexOf(name);
      assert.ok(at > last, `"${name}" is reached after the previous control; tab order: ${names.join(' → ')}`);
      last = at;
    }
    const firstPlayer = stops.findIndex((s) => s.inPlayer);
    assert.ok(
      stops.some((s, i) => s.inMain && i < firstPlayer),
      `a control of the page itself is reached before the player; tab order: ${names.join(' → ')}`,
    );
    for (const stop of stops) {
      assert.ok(stop.focusVisible && stop.ringVisible, `"${stop.name}" shows a focus ring (outline: ${stop.outline})`);
      assert.ok(stop.onScreen, `"${stop.name}" is on screen when focused`);
    }
  });

  test('the skip link moves focus to the page; menus open, move and close with the keyboard', async () => {
    const page = await e2e.newPage();
    await gotoApp(page, '/');
    await page.keyboard.press('Tab');
    assert.equal((await describeFocus(page)).name, 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

    await page.getByRole('button', { name: 'Language' }).focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Language' });
    await menu.waitFor();
    assert.equal((await describeFocus(page)).name, 'English');
    await page.keyboard.press('ArrowDown');
    assert.equal((await describeFocus(page)).name, 'Français');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal((await describeFocus(page)).name, 'Language');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  });
});
