// Accounts and settings against the real server: sign up → banner (a PNG generated here, cropped
// in the page) and links → the profile page shows them → two-factor sign-in enabled with a TOTP
// computed here (RFC 6238) → sign out → sign in with the code → a second session signed in with a
// recovery code → the sessions list shows two, the other one is ended → key screens in French.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { ensureOutputDir, gotoApp, settle, useE2E, watchConsole } from '../support/index.mjs';

const e2e = useE2E();

// --- a tiny PNG encoder (RGB, 8 bits, no filter) so the test needs no image file or library ---

const kCrcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = kCrcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A width×height PNG: a diagonal gradient with a white disc in the centre (so crops are visible). */
export function makePng(width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const r2 = (Math.min(width, height) / 4) ** 2;
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x += 1) {
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < r2;
      const i = row + 1 + x * 3;
      raw[i] = inDisc ? 255 : Math.round((255 * x) / width);
      raw[i + 1] = inDisc ? 255 : 60;
      raw[i + 2] = inDisc ? 255 : Math.round((255 * y) / height);
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// --- RFC 6238 TOTP (HMAC-SHA-1, 30 s, 6 digits) ---

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const value = alphabet.indexOf(ch);
    if (value < 0) throw new Error(`not base32: ${ch}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 30_000);

/** A code of a time step not used yet (the server refuses a code twice in its window). */
async function freshCode(secret, usedSteps) {
  let step = currentStep();
  while (usedSteps.has(step) || Date.now() % 30_000 > 27_000) {
    await new Promise((r) => setTimeout(r, 500));
    step = currentStep();
  }
  usedSteps.add(step);
  return totp(secret, step);
}

function isApi(response, pathname, method) {
  const url = new URL(response.url());
  return url.pathname === `/api/v1${pathname}` && (!method || response.request().method() === method);
}

/**
 * The viewport (a full-page capture would smear the sticky bars), scrolled so `focus` is in view;
 * plus `-bottom` when the page scrolls.
 */
async function shoot(page, name, focus) {
  const dir = ensureOutputDir('screenshots', 'settings');
  if (focus) await focus.scrollIntoViewIfNeeded();
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
  if (!focus && (await page.evaluate(() => document.documentElement.scrollHeight > innerHeight + 4))) {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.screenshot({ path: path.join(dir, `${name}-bottom.png`) });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
}

describe('accounts and settings', () => {
  test('RFC 6238 vectors hold for the test’s own TOTP', () => {
    // Appendix B, SHA-1 seed "12345678901234567890" (base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ), 6 digits.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal(totp(secret, Math.floor(59 / 30)), '287082');
    assert.equal(totp(secret, Math.floor(1111111109 / 30)), '081804');
    assert.equal(totp(secret, Math.floor(2000000000 / 30)), '279037');
  });

  test('profile, banner and links → 2FA → sign in with the code → sessions → French', { timeout: 300_000 }, async () => {
    const page = await e2e.newPage();
    const problems = watchConsole(page);
    const suffix = Date.now().toString(36);
    const username = `set_${suffix}`;
    const password = `settings-${suffix}-Secret!`;
    const main = page.locator('main');

    // Sign up.
    await gotoApp(page, '/signup');
    await main.getByRole('textbox', { name: /^Email/ }).fill(`${username}@example.com`);
    await main.getByRole('textbox', { name: /^Username/ }).fill(username);
    await main.getByLabel(/^Password/).fill(password);
    await main.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('banner').getByRole('button', { name: username }).waitFor();

    // Profile: a banner cropped in the page, bio, links.
    await gotoApp(page, '/settings/profile');
    await main.getByRole('heading', { name: 'Profile', exact: true }).waitFor();
    await shoot(page, 'profile-empty');
    await page.locator('input[type=file][name=banner]').setInputFiles({
      name: 'banner.png',
      mimeType: 'image/png',
      buffer: makePng(2400, 1200),
    });
    const dialog = page.getByRole('dialog', { name: 'Crop your banner' });
    await dialog.waitFor();
    const preview = dialog.getByRole('img', { name: 'Preview of the cropped image' });
    const box = await preview.boundingBox();
    assert.ok(Math.abs(box.width / box.height - 3) < 0.05, `the banner preview is 3:1 (${box.width}×${box.height})`);
    // 2400×800 at most at 3:1; zoomed 1.5× the window is 1600×533, still enough for 1500×500.
    await dialog.getByLabel('Zoom').fill('1.5');
    await shoot(page, 'crop-banner');
    const bannerPut = page.waitForResponse((r) => isApi(r, '/users/me/banner', 'PUT'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    const put = await bannerPut;
    assert.equal(put.status(), 200, await put.text());
    assert.equal(put.request().headers()['content-type'], 'image/jpeg', 'the crop is sent, re-encoded by the page');
    await dialog.waitFor({ state: 'detached' });
    await main.getByRole('img', { name: 'Your current banner' }).waitFor();

    await main.getByLabel('Bio').fill('Synths, field recordings and late-night loops.');
    await main.getByLabel('Location').fill('Lyon');
    await main.getByRole('button', { name: 'Add a link' }).click();
    await main.getByRole('textbox', { name: /^Link 1/ }).fill('https://soundcloud.com/' + username);
    await main.getByRole('button', { name: 'Add a link' }).click();
    // A plain-http link is refused in the page, beside its field, before anything is sent.
    await main.getByRole('textbox', { name: /^Link 2/ }).fill(`http://${username}.bandcamp.com`);
    await main.getByRole('button', { name: 'Save', exact: true }).click();
    await main.getByText('Use a secure link starting with https://').waitFor();
    // The page accepts this host; the server refuses the "_" (not a host name character) and
    // its message lands beside the field it names (social_links[1]).
    await main.getByRole('textbox', { name: /^Link 2/ }).fill(`https://${username}.bandcamp.com`);
    await main.getByRole('textbox', { name: 'Link 2 (Bandcamp)' }).waitFor();
    let patched = page.waitForResponse((r) => isApi(r, '/users/me', 'PATCH'));
    await main.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal((await patched).status(), 422);
    const link2 = main.getByRole('textbox', { name: 'Link 2 (Bandcamp)' });
    assert.equal(await link2.getAttribute('aria-invalid'), 'true');
    assert.match(await main.locator(`#${await link2.getAttribute('aria-describedby')}`).textContent(), /must be a valid link/);
    await link2.fill('https://latenightloops.bandcamp.com');
    patched = page.waitForResponse((r) => isApi(r, '/users/me', 'PATCH'));
    await main.getByRole('button', { name: 'Save', exact: true }).click();
    const patch = await patched;
    assert.equal(patch.status(), 200, await patch.text());
    assert.deepEqual(patch.request().postDataJSON().social_links, [
      { platform: 'soundcloud', url: `https://soundcloud.com/${username}` },
      { platform: 'bandcamp', url: 'https://latenightloops.bandcamp.com' },
    ]);
    await page.getByRole('region', { name: 'Notifications' }).getByText('Profile saved').waitFor();
    await settle(page);
    await shoot(page, 'profile');

    // The public profile shows the banner, bio and links with their platforms.
    await gotoApp(page, `/@${username}`);
    await settle(page);
    await main.getByText('Synths, field recordings and late-night loops.').waitFor();
    const links = main.getByRole('navigation', { name: 'Links' });
    assert.equal(await links.getByRole('link', { name: 'SoundCloud' }).getAttribute('href'), `https://soundcloud.com/${username}`);
    assert.equal(await links.getByRole('link', { name: 'Bandcamp' }).getAttribute('href'), 'https://latenightloops.bandcamp.com');
    const banner = await page.evaluate(() => {
      const img = document.querySelector('main img[src*="/banner"]');
      return img && { complete: img.complete, width: img.naturalWidth, height: img.naturalHeight };
    });
    assert.deepEqual(banner, { complete: true, width: 1500, height: 500 }, 'the banner is served at 1500×500');
    await shoot(page, 'public-profile');

    // Two-factor sign-in: the secret from the page, the code computed here.
    await gotoApp(page, '/settings/security');
    await main.getByRole('button', { name: 'Set up' }).click();
    const secret = (await main.getByTestId('totp-secret').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await main.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await shoot(page, 'security-2fa-setup', main.getByRole('button', { name: 'Turn on' }));
    const usedSteps = new Set();
    await main.getByLabel(/^Authentication code/).fill(await freshCode(secret, usedSteps));
    await main.getByRole('button', { name: 'Turn on' }).click();
    const codesList = main.getByRole('list', { name: 'Recovery codes' });
    await codesList.waitFor();
    const recoveryCodes = (await codesList.getByRole('listitem').allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 10);
    await shoot(page, 'security-recovery-codes', main.getByRole('button', { name: 'I saved them' }));
    await main.getByRole('button', { name: 'I saved them' }).click();
    await main.getByText('Two-factor sign-in is on').waitFor();
    assert.equal(await codesList.count(), 0, 'the recovery codes are shown only once');

    // Sign out, then sign in again: password, then the code step.
    await page.getByRole('banner').getByRole('button', { name: username }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    await gotoApp(page, '/signin?next=%2Fsettings%2Fsessions');
    await main.getByLabel('Email or username').fill(username);
    await main.getByLabel(/^Password/).fill(password);
    await main.getByRole('button', { name: 'Sign in', exact: true }).click();
    const codeField = main.getByLabel(/^Authentication code/);
    await codeField.waitFor();
    await shoot(page, 'signin-2fa-step');
    await codeField.fill(await freshCode(secret, usedSteps));
    await main.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/settings/sessions');

    // Another device signs in with a recovery code.
    const other = await e2e.newPage({ device: 'phone' });
    await gotoApp(other, '/signin');
    const otherMain = other.locator('main');
    await otherMain.getByLabel('Email or username').fill(username);
    await otherMain.getByLabel(/^Password/).fill(password);
    await otherMain.getByRole('button', { name: 'Sign in', exact: true }).click();
    await otherMain.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await otherMain.getByLabel(/^Recovery code/).fill(recoveryCodes[0]);
    await otherMain.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.getByRole('banner').getByRole('button', { name: /account/i }).waitFor();
    await gotoApp(other, '/settings/profile');
    await other.locator('main').getByRole('heading', { name: 'Avatar and banner' }).waitFor();
    await settle(other);
    await shoot(other, 'phone-profile');

    // Two sessions, this one marked; end the other, and it is signed out at once.
    await page.reload();
    const sessions = main.getByTestId('session');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="session"]').length === 2);
    assert.equal(await sessions.filter({ hasText: 'This device' }).count(), 1);
    await settle(page);
    await shoot(page, 'sessions');
    const ended = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/v1/auth/sessions/') && r.request().method() === 'DELETE');
    await main.getByRole('button', { name: 'Sign out everywhere else' }).click();
    assert.equal((await ended).status(), 204);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="session"]').length === 1);
    await gotoApp(other, '/settings/sessions');
    await other.waitForURL('**/signin?next=*');

    // The same key screens in French, the choice saved to the account.
    await gotoApp(page, '/settings');
    const languageSaved = page.waitForResponse((r) => isApi(r, '/users/me', 'PATCH'));
    await main.getByLabel('Language').selectOption('fr');
    const language = await languageSaved;
    assert.equal(language.status(), 200);
    assert.equal((await language.json()).language, 'fr');
    await main.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
    await gotoApp(page, '/settings/profile');
    await main.getByRole('heading', { name: 'Avatar et bannière' }).waitFor();
    await main.getByRole('button', { name: 'Enregistrer' }).waitFor();
    await settle(page);
    await shoot(page, 'fr-profile');
    await gotoApp(page, '/settings/security');
    await main.getByText('La connexion à deux facteurs est activée').waitFor();
    await main.getByText('9 codes de secours restants').waitFor();
    await shoot(page, 'fr-security');
    await gotoApp(page, '/settings/sessions');
    await main.getByText('Cet appareil').waitFor();
    await shoot(page, 'fr-sessions');
    await gotoApp(page, '/settings/data');
    await main.getByRole('button', { name: 'Supprimer mon compte…' }).click();
    await page.getByRole('dialog', { name: 'Supprimer votre compte ?' }).waitFor();
    await shoot(page, 'fr-delete-dialog');
    await page.keyboard.press('Escape');
    await gotoApp(page, `/@${username}`);
    await main.getByRole('link', { name: 'Modifier le profil' }).waitFor();

    assert.deepEqual(problems, []);
  });
});
