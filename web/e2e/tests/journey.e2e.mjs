// A creator's journey against the real server: sign up, upload two generated tracks through the
// upload page (tus when the server offers it, multipart otherwise), watch them process, then play:
// waveform drawn and seekable, hls.js rendition and quality change, and the two tracks back to
// back without a gap, measured from the page. Then the key steps again in French.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ensureOutputDir, generateAudio, gotoApp, makeTempDir, settle, useE2E, watchConsole } from '../support/index.mjs';

const e2e = useE2E();

/** Processing a few seconds of audio is quick, but the machine is shared with sanitizer builds. */
const kReadyTimeoutMs = 180_000;
/** The brief's bound for a gapless hand-over. */
const kGapBudgetMs = 50;

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

function screenshot(page, name) {
  return page.screenshot({ path: path.join(ensureOutputDir(), 'screenshots', `journey-${name}.png`), fullPage: false });
}

/** Fraction of the canvas's pixels that are not transparent. */
function canvasInk(page, selector) {
  return page.evaluate((sel) => {
    const canvas = document.querySelector(sel);
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked += 1;
    return inked / (data.length / 4);
  }, selector);
}

async function signUp(page, { username, labels }) {
  await gotoApp(page, '/signup');
  const main = page.locator('main');
  await main.getByRole('textbox', { name: labels.email }).fill(`${username}@example.com`);
  await main.getByRole('textbox', { name: labels.username }).fill(username);
  await main.getByLabel(labels.password).fill(`journey-${username}-Secret!`);
  const registered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/register');
  await main.getByRole('button', { name: labels.submit }).click();
  const registration = await registered;
  assert.equal(registration.status(), 201);
  await page.getByRole('banner').getByRole('button', { name: username }).waitFor();
  return registration;
}

/** Waits until `count` upload cards say their track is ready. */
async function waitUntilReady(page, readyText, count) {
  await page.waitForFunction(
    ([text, n]) => [...document.querySelectorAll('main [role=status]')].filter((s) => s.textContent.includes(text)).length >= n,
    [readyText, count],
    { timeout: kReadyTimeoutMs, polling: 500 },
  );
}

describe('creator journey', () => {
  test('sign up → upload two tracks → ready → waveform, quality, gapless playback', { timeout: 480_000 }, async (t) => {
    const page = await e2e.newPage();
    await page.addInitScript(recordMediaElements);
    const problems = watchConsole(page);
    const suffix = Date.now().toString(36);
    const username = `e2e_${suffix}`;

    const registration = await signUp(page, {
      username,
      labels: { email: /^Email/, username: /^Username/, password: /^Password/, submit: 'Create account' },
    });
    assert.deepEqual(
      { ...registration.request().postDataJSON(), password: undefined },
      { email: `${username}@example.com`, username, password: undefined, language: 'en', session: 'cookie' },
    );
    assert.equal((await registration.json()).refresh_token, undefined, 'cookie sessions keep the refresh token out of the body');
    const banner = page.getByRole('banner');

    // A reload keeps the session: the refresh cookie is traded for tokens, then /users/me.
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/refresh');
    await gotoApp(page, '/upload');
    const refresh = await refreshed;
    assert.equal(refresh.status(), 200, 'the cookie refresh succeeds');
    assert.equal(refresh.request().headers()['x-requested-with'], 'veza');
    await banner.getByRole('button', { name: username }).waitFor();

    // Two generated files, tagged, dropped at once.
    const dir = makeTempDir('veza-e2e-journey-');
    const first = await generateAudio({ dir, name: 'journey-one', format: 'flac', seconds: 8, frequency: 440, title: 'Journey One' });
    const second = await generateAudio({ dir, name: 'journey-two', format: 'wav', seconds: 6, frequency: 660, title: 'Journey Two' });
    const main = page.locator('main');
    const tusOffered = await page.evaluate(async () => {
      const r = await fetch('/api/v1/uploads', { method: 'OPTIONS' });
      return r.ok && (r.headers.get('Tus-Version') ?? '').includes('1.0.0');
    });
    t.diagnostic(`upload transport: ${tusOffered ? 'tus 1.0.0' : 'multipart (server has no tus)'}`);
    await page.locator('main input[type=file][multiple]').setInputFiles([first, second]);
    const cardOne = main.getByRole('listitem', { name: 'journey-one.flac' });
    const cardTwo = main.getByRole('listitem', { name: 'journey-two.wav' });
    // The titles come from the files' own tags, read in the browser.
    const titleOne = cardOne.getByRole('textbox', { name: /^Title/ });
    await page.waitForFunction(
      () => ['Journey One', 'Journey Two'].every((v) => [...document.querySelectorAll('main input')].some((i) => i.value === v)),
      null,
      { timeout: 15_000 },
    );
    assert.equal(await titleOne.inputValue(), 'Journey One');
    assert.equal(await cardTwo.getByRole('textbox', { name: /^Title/ }).inputValue(), 'Journey Two');
    await cardOne.getByRole('textbox', { name: /^Genre/ }).fill('Ambient');
    await cardOne.getByRole('textbox', { name: /^Tags/ }).fill('Sine, Test');

    const created = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/tracks' && r.request().method() === 'POST') created.push(r);
    });
    const patches = [];
    page.on('request', (r) => {
      if (r.method() === 'PATCH' && new URL(r.url()).pathname.startsWith('/api/v1/uploads/')) patches.push(r.url());
    });
    await main.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('main progress').length > 0, null, { timeout: 30_000 });
    await screenshot(page, 'upload-progress');
    await waitUntilReady(page, 'Ready to play', 2);
    await screenshot(page, 'upload-ready');
    assert.equal(created.length, 2, 'two tracks were created');
    for (const response of created) assert.equal(response.status(), 201, await response.text());
    if (tusOffered) {
      assert.ok(patches.length >= 2, 'the files went through tus PATCH requests');
      for (const response of created) {
        assert.match(response.request().postDataJSON().upload_id, /\S/, 'POST /tracks names the tus upload');
      }
    }
    const tracks = await Promise.all(created.map((r) => r.json()));
    const one = tracks.find((x) => x.title === 'Journey One');
    const two = tracks.find((x) => x.title === 'Journey Two');
    assert.ok(one && two, `both titles from tags: ${tracks.map((x) => x.title)}`);
    assert.equal(one.genre, 'Ambient');
    assert.deepEqual(one.tags, ['sine', 'test']);

    // The track page: waveform drawn from the server's peaks.
    await cardOne.getByRole('link', { name: 'Open track' }).click();
    await page.waitForURL(new RegExp(`/@${username}/journey-one-${one.id}$`));
    await main.getByRole('heading', { name: 'Journey One' }).waitFor();
    await main.getByRole('link', { name: username }).waitFor();
    const wave = main.getByRole('slider', { name: 'Waveform of Journey One' });
    await page.waitForSelector('main [role=slider][data-drawn=peaks]', { timeout: 15_000 });
    // A -6 dBFS sine fills half the height with bars 3 px of every 4: well over a tenth of the pixels.
    let ink = 0;
    for (let i = 0; i < 20 && ink <= 0.1; i += 1) {
      ink = await canvasInk(page, 'main [role=slider][data-drawn=peaks] canvas');
      if (ink <= 0.1) await page.waitForTimeout(250);
    }
    await screenshot(page, 'track-waveform');
    t.diagnostic(`waveform canvas: ${(ink * 100).toFixed(1)}% of pixels drawn`);
    assert.ok(ink > 0.1, `the waveform is drawn (${ink})`);
    await main.getByRole('link', { name: '#sine' }).waitFor();

    // Play: the stream grant, then hls.js (a MediaSource blob URL) and a rendition.
    const granted = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/tracks/${one.id}/stream`);
    const started = page.waitForRequest(
      (r) => new URL(r.url()).pathname === `/api/v1/tracks/${one.id}/plays` && r.postDataJSON().event === 'started',
    );
    await main.getByRole('button', { name: 'Play', exact: true }).click();
    const grant = await (await granted).json();
    assert.match(grant.hls_url, new RegExp(`^/api/v1/tracks/${one.id}/hls/master\\.m3u8\\?token=`));
    await page.waitForFunction(() => (window.__vezaMedia ?? []).some((m) => !m.paused && m.currentTime > 0.3), null, { timeout: 30_000 });
    const before = await playingMedia(page);
    await page.waitForTimeout(1200);
    const after = await playingMedia(page);
    assert.ok(after && after.currentTime > before.currentTime + 0.5, `currentTime advances (${before?.currentTime} → ${after?.currentTime})`);
    assert.match(after.src, /^blob:/, 'hls.js feeds the element through Media Source Extensions');
    assert.equal((await started).postDataJSON().event, 'started', 'a play event is reported');

    const player = page.getByRole('region', { name: 'Player' });
    const quality = player.locator('button[aria-haspopup="menu"]', { hasText: /\d+ kbps/ });
    await quality.waitFor({ timeout: 10_000 });
    // The trigger reads "Quality: 192 kbps" (its label is visually hidden).
    const rendition = (await quality.textContent()).trim().replace(/^.*:\s*/, '');
    assert.match(rendition, /^\d+ kbps$/, 'hls.js picked a rendition (not "Auto")');
    await player.getByRole('link', { name: 'Journey One' }).waitFor();

    // Seeking on the waveform: a click at 3/4 of its width lands near 3/4 of the track.
    const box = await wave.boundingBox();
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.waitForFunction(() => (window.__vezaMedia ?? []).some((m) => !m.paused && m.currentTime > 5.5), null, { timeout: 10_000 });
    await screenshot(page, 'track-playing');

    // Quality: fix a rendition other than the one playing; the next load uses it.
    await quality.click();
    const menu = page.getByRole('menu');
    const options = await menu.getByRole('menuitemradio').allTextContents();
    const labels = options.map((o) => o.trim());
    t.diagnostic(`quality menu: ${labels.join(' | ')}`);
    const target = labels.find(
      (o) => /^\d+ kbps$/.test(o) && o !== rendition && labels.filter((x) => x === o).length === 1,
    );
    assert.ok(target, `another rendition is offered: ${options}`);
    await menu.getByRole('menuitemradio', { name: target, exact: true }).click();

    // Back to back: from the home page, Journey Two then Journey One (newest first).
    await gotoApp(page, '/');
    await main.getByRole('button', { name: 'Play Journey Two' }).click();
    await page.waitForFunction(
      (id) => window.__vezaPlayer.events().some((e) => e.type === 'playing' && e.trackId === id),
      one.id,
      { timeout: 60_000, polling: 100 },
    );
    await page.waitForTimeout(500);
    const events = await page.evaluate(() => window.__vezaPlayer.events());
    const ended = events.filter((e) => e.type === 'ended' && e.trackId === two.id).at(-1);
    const nextPlaying = events.filter((e) => e.type === 'playing' && e.trackId === one.id).at(-1);
    const handover = events.filter((e) => e.type === 'handover' && e.trackId === two.id).at(-1);
    assert.ok(ended && handover && nextPlaying, `Journey Two ended and handed over: ${JSON.stringify(events)}`);
    // The end of Journey Two on the page's clock: where the hand-over found it, plus what was
    // left to play. ('ended' is an async event that a busy machine delivers late; it only bounds.)
    const endMs = Math.min(ended.atMs, handover.atMs + Math.max(0, handover.durationS - handover.positionS) * 1000);
    // Likewise Journey One began sounding before its 'playing' event ran, by its position then.
    const startMs = nextPlaying.atMs - nextPlaying.positionS * 1000;
    const gapMs = startMs - endMs;
    t.diagnostic(
      `hand-over at ${handover.positionS.toFixed(3)} s of ${handover.durationS.toFixed(3)} s; Journey One 'playing' ` +
        `${gapMs.toFixed(1)} ms after Journey Two's end ('ended' event ${(nextPlaying.atMs - ended.atMs).toFixed(1)} ms)`,
    );
    assert.ok(handover.durationS - handover.positionS <= kGapBudgetMs / 1000, 'handed over at the end, not before');
    assert.ok(Math.abs(gapMs) <= kGapBudgetMs, `gap ${gapMs.toFixed(1)} ms > ${kGapBudgetMs} ms`);
    const levels = events.filter((e) => e.type === 'level' && e.trackId === two.id);
    assert.ok(levels.length > 0, 'hls.js switched Journey Two to a rendition');
    // The fixed quality holds for the tracks loaded after it: the player shows that rendition.
    let shown = '';
    for (let i = 0; i < 40 && shown !== target; i += 1) {
      shown = (await quality.textContent()).trim().replace(/^.*:\s*/, '');
      if (shown !== target) await page.waitForTimeout(250);
    }
    assert.equal(shown, target, `the chosen rendition plays (${JSON.stringify(events.filter((e) => e.type === 'level'))})`);
    await player.getByRole('link', { name: 'Journey One' }).waitFor();
    await screenshot(page, 'gapless');

    await settle(page);
    assert.deepEqual(problems, []);
  });

  test('the same in French: sign up, upload, ready, play', { timeout: 300_000 }, async () => {
    const page = await e2e.newPage({ language: 'fr', locale: 'fr-FR' });
    await page.addInitScript(recordMediaElements);
    const problems = watchConsole(page);
    const username = `e2e_fr_${Date.now().toString(36)}`;
    await signUp(page, {
      username,
      labels: { email: /^E-mail/, username: /^Nom d’utilisateur/, password: /^Mot de passe/, submit: 'Créer le compte' },
    });
    await gotoApp(page, '/upload');
    const main = page.locator('main');
    await main.getByRole('heading', { name: 'Publier' }).waitFor();
    const dir = makeTempDir('veza-e2e-journey-fr-');
    const file = await generateAudio({ dir, name: 'chanson', format: 'wav', seconds: 5, frequency: 523, title: 'Chanson' });
    await page.locator('main input[type=file][multiple]').setInputFiles(file);
    await page.waitForFunction(() => [...document.querySelectorAll('main input')].some((i) => i.value === 'Chanson'), null, { timeout: 15_000 });
    await main.getByRole('button', { name: 'Publier', exact: true }).click();
    await waitUntilReady(page, 'Prêt à écouter', 1);
    await main.getByRole('link', { name: 'Ouvrir le morceau' }).click();
    await main.getByRole('heading', { name: 'Chanson' }).waitFor();
    await page.waitForSelector('main [role=slider][data-drawn=peaks]', { timeout: 15_000 });
    await main.getByRole('slider', { name: 'Forme d’onde de Chanson' }).waitFor();
    await main.getByRole('button', { name: 'Lecture', exact: true }).click();
    await page.waitForFunction(() => (window.__vezaMedia ?? []).some((m) => !m.paused && m.currentTime > 0.5), null, { timeout: 30_000 });
    await page.getByRole('region', { name: 'Lecteur' }).getByRole('button', { name: 'Pause' }).waitFor();
    await screenshot(page, 'fr-track-playing');
    await settle(page);
    assert.deepEqual(problems, []);
  });
});
