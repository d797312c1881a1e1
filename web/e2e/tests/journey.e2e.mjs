// A creator's first journey against the real server: sign up, upload a generated FLAC through the
// upload page, wait for processing, open the track page and play it through hls.js.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateAudio, gotoApp, makeTempDir, settle, useE2E, watchConsole } from '../support/index.mjs';

const e2e = useE2E();

/** Processing a 6 s file is quick, but the machine is shared with sanitizer builds. */
const kReadyTimeoutMs = 180_000;

/**
 * Keeps every media element that starts playing, so the test can read the real currentTime and
 * source of the player's <audio> elements (the engine does not attach them to the document).
 */
function recordMediaElements() {
  window.__vezaMedia = [];
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (...args) {
    if (!window.__vezaMedia.includes(this)) window.__vezaMedia.push(this);
    return play.apply(this, args);
  };
}

/** The playing element's time and source, or null when none plays yet. */
function playingMedia(page) {
  return page.evaluate(() => {
    const media = (window.__vezaMedia ?? []).find((m) => !m.paused && m.currentTime > 0);
    return media ? { currentTime: media.currentTime, src: media.src, readyState: media.readyState } : null;
  });
}

describe('creator journey', () => {
  test('sign up → upload a FLAC → ready → play through hls.js', { timeout: 300_000 }, async () => {
    const page = await e2e.newPage();
    await page.addInitScript(recordMediaElements);
    const problems = watchConsole(page);
    const suffix = Date.now().toString(36);
    const username = `e2e_${suffix}`;

    // Sign up through the page.
    await gotoApp(page, '/signup');
    const main = page.locator('main');
    await main.getByRole('textbox', { name: /^Email/ }).fill(`${username}@example.com`);
    await main.getByRole('textbox', { name: /^Username/ }).fill(username);
    await main.getByLabel(/^Password/).fill(`journey-${suffix}-Secret!`);
    const registered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/register');
    await main.getByRole('button', { name: 'Create account' }).click();
    const registration = await registered;
    assert.equal(registration.status(), 201);
    assert.deepEqual(
      { ...registration.request().postDataJSON(), password: undefined },
      { email: `${username}@example.com`, username, password: undefined, language: 'en', session: 'cookie' },
    );
    assert.equal((await registration.json()).refresh_token, undefined, 'cookie sessions keep the refresh token out of the body');
    const banner = page.getByRole('banner');
    await banner.getByRole('button', { name: username }).waitFor();

    // A reload keeps the session: the refresh cookie is traded for tokens, then /users/me.
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/refresh');
    await gotoApp(page, '/upload');
    const refresh = await refreshed;
    assert.equal(refresh.status(), 200, 'the cookie refresh succeeds');
    assert.equal(refresh.request().headers()['x-requested-with'], 'veza');
    await banner.getByRole('button', { name: username }).waitFor();

    // Upload a generated 6-second FLAC through the page.
    const dir = makeTempDir('veza-e2e-journey-');
    const file = await generateAudio({ dir, name: 'journey-tone', format: 'flac', seconds: 6, title: 'Journey Tone' });
    await page.locator('input[type=file]').setInputFiles(file);
    const title = main.getByRole('textbox', { name: /^Title/ });
    await title.fill('Journey Tone');
    const uploaded = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/tracks' && r.request().method() === 'POST',
    );
    await main.getByRole('button', { name: 'Upload', exact: true }).click();
    const upload = await uploaded;
    assert.equal(upload.status(), 201, await upload.text());
    const created = await upload.json();
    assert.equal(created.title, 'Journey Tone');
    assert.equal(created.status, 'processing');

    // Open the track page; it polls the track until processing is over.
    await main.getByRole('link', { name: 'Open track' }).click();
    await page.waitForURL(new RegExp(`/@${username}/journey-tone-${created.id}$`));
    await main.getByRole('heading', { name: 'Journey Tone' }).waitFor();
    await main.getByRole('link', { name: username }).waitFor();
    const play = main.getByRole('button', { name: 'Play', exact: true });
    await page.waitForFunction(
      () => {
        const button = [...document.querySelectorAll('main button')].find((b) => b.textContent.trim() === 'Play');
        return button && !button.disabled;
      },
      null,
      { timeout: kReadyTimeoutMs, polling: 500 },
    );
    const track = await page.evaluate(
      async (id) => (await fetch(`/api/v1/tracks/${id}`, { headers: { Accept: 'application/json' } })).json(),
      created.id,
    );
    assert.equal(track.status, 'ready');
    assert.ok(track.duration_ms > 5500 && track.duration_ms < 6500, `duration ${track.duration_ms} ms`);

    // Play: the stream grant, then hls.js (a MediaSource blob URL) and a rendition in the quality menu.
    const granted = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/tracks/${created.id}/stream`);
    await play.click();
    const grant = await (await granted).json();
    assert.match(grant.hls_url, new RegExp(`^/api/v1/tracks/${created.id}/hls/master\\.m3u8\\?token=`));
    await page.waitForFunction(
      () => (window.__vezaMedia ?? []).some((m) => !m.paused && m.currentTime > 0.3),
      null,
      { timeout: 30_000 },
    );
    const first = await playingMedia(page);
    await page.waitForTimeout(1500);
    const second = await playingMedia(page);
    assert.ok(second, 'the audio is still playing');
    assert.ok(
      second.currentTime > first.currentTime + 0.5,
      `currentTime advances (${first.currentTime} → ${second.currentTime})`,
    );
    assert.match(second.src, /^blob:/, 'hls.js feeds the element through Media Source Extensions');
    const player = page.getByRole('region', { name: 'Player' });
    const quality = player.locator('button[aria-haspopup="menu"]', { hasText: /\d+ kbps/ });
    await quality.waitFor({ timeout: 10_000 });
    const rendition = (await quality.textContent()).trim();
    assert.match(rendition, /\b\d+ kbps$/, 'hls.js picked a rendition (not "Auto")');
    await player.getByRole('link', { name: 'Journey Tone' }).waitFor();

    await settle(page);
    assert.deepEqual(problems, []);
  });
});
