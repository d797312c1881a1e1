// The mini player opens in a Document Picture-in-Picture window where Chromium offers it, and
// shows the live transport controls of the bar.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import path from 'node:path';
import { ensureOutputDir, gotoApp, useE2E } from '../support/index.mjs';

const e2e = useE2E();

/** A queued (not playing) track, as a previous visit would have left it in localStorage. */
function seedQueue() {
  if (localStorage.getItem('veza.player')) return;
  const track = { id: '1', title: 'Seeded Tone', artist: 'Someone', artistUsername: null, coverUrl: null, durationMs: 5000, replayGainDb: null, truePeakDbtp: null };
  localStorage.setItem(
    'veza.player',
    JSON.stringify({ state: { items: [{ key: 'k1', track }], order: ['k1'], currentKey: 'k1', shuffle: false }, version: 1 }),
  );
}

describe('picture-in-picture', () => {
  test('the mini player opens in its own window with the controls', async (t) => {
    const page = await e2e.newPage();
    await page.addInitScript(seedQueue);
    await gotoApp(page, '/');
    const player = page.getByRole('region', { name: 'Player' });
    await player.getByRole('link', { name: 'Seeded Tone' }).waitFor();
    const supported = await page.evaluate(() => 'documentPictureInPicture' in window);
    const button = player.getByRole('button', { name: 'Mini player' });
    if (!supported) {
      assert.equal(await button.count(), 0, 'no button where the browser lacks Document PiP');
      t.skip('this Chromium has no Document Picture-in-Picture');
      return;
    }
    const opened = page.context().waitForEvent('page', { timeout: 10_000 }).catch(() => null);
    await button.click();
    await player.getByRole('button', { name: 'Close mini player' }).waitFor({ timeout: 10_000 });
    const pip = await opened;
    const text = await page.evaluate(() => window.documentPictureInPicture.window?.document.body.textContent ?? '');
    t.diagnostic(`pip window ${pip ? 'seen as a page' : 'not exposed as a page'}; text: ${text.slice(0, 80)}`);
    assert.match(text, /Seeded Tone/, 'the mini player shows the current track');
    const buttons = await page.evaluate(() =>
      [...(window.documentPictureInPicture.window?.document.querySelectorAll('button') ?? [])].map((b) => b.getAttribute('aria-label')),
    );
    assert.ok(buttons.includes('Play') && buttons.includes('Next'), `controls: ${buttons}`);
    if (pip) await pip.screenshot({ path: path.join(ensureOutputDir(), 'screenshots', 'pip-window.png') });
    await player.getByRole('button', { name: 'Close mini player' }).click();
    await player.getByRole('button', { name: 'Mini player' }).waitFor();
  });
});
