// Performance budgets of the home page on loopback: initial JavaScript and time to interactive.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ensureOutputDir, generateAudio, loadedScripts, makeTempDir, timeToInteractive, useE2E } from '../support/index.mjs';

const e2e = useE2E();

const kInitialJsBudget = 250 * 1024;
const kInteractiveBudgetMs = 1500;
const kRuns = 3;

/** The home page is usable: a control of the page itself and the account control in the top bar. */
const kHomeControls = ['main button, main a[href]', 'header a[href^="/signin"], header button[aria-haspopup="menu"]'];

const results = {};
function record(key, value) {
  results[key] = value;
  fs.writeFileSync(path.join(ensureOutputDir(), 'budgets.json'), `${JSON.stringify(results, null, 2)}\n`);
}

describe('home page budgets', () => {
  test(`initial JavaScript is at most ${kInitialJsBudget / 1024} KB gzipped`, async (t) => {
    const page = await e2e.newPage();
    await timeToInteractive(page, '/', kHomeControls);
    await page.waitForLoadState('networkidle');
    const scripts = await loadedScripts(page);
    const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
    for (const s of scripts) t.diagnostic(`${s.path}: ${(s.gzip / 1024).toFixed(1)} KB gzipped (${(s.bytes / 1024).toFixed(1)} KB)`);
    t.diagnostic(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${scripts.length} files`);
    record('home_initial_js', { gzip_bytes: total, budget_bytes: kInitialJsBudget, scripts });

    assert.ok(scripts.length > 0, 'the page loaded its scripts');
    assert.ok(
      !scripts.some((s) => /\/hls[-.]/.test(s.path)),
      'hls.js is loaded on first play, not with the home page',
    );
    assert.ok(total <= kInitialJsBudget, `${total} bytes gzipped > budget ${kInitialJsBudget}`);
  });

  test(`becomes interactive within ${kInteractiveBudgetMs} ms (median of ${kRuns} cold loads)`, async (t) => {
    const times = [];
    for (let i = 0; i < kRuns; i += 1) {
      // A new context each time: empty HTTP cache, like a first visit.
      const page = await e2e.newPage();
      times.push(await timeToInteractive(page, '/', kHomeControls));
      await page.context().close();
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    t.diagnostic(`time to interactive (ms): ${times.map((x) => x.toFixed(0)).join(', ')}; median ${median.toFixed(0)}`);
    record('home_time_to_interactive_ms', { runs: times, median, budget: kInteractiveBudgetMs });
    assert.ok(median <= kInteractiveBudgetMs, `median ${median.toFixed(0)} ms > ${kInteractiveBudgetMs} ms`);
  });
});

/** A ready public track made through the API: a new account, a multipart upload, processing. */
async function readyTrack(baseUrl) {
  const name = `budget_${Date.now().toString(36)}`;
  const register = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.com`, username: name, password: `budget-${name}-Secret!` }),
  });
  assert.equal(register.status, 201, await register.clone().text());
  const { access_token: token } = await register.json();
  const file = await generateAudio({ dir: makeTempDir('veza-e2e-budget-'), name: 'budget', format: 'flac', seconds: 4 });
  const form = new FormData();
  form.set('title', 'Budget Tone');
  form.set('file', new Blob([fs.readFileSync(file)], { type: 'audio/flac' }), 'budget.flac');
  const created = await fetch(`${baseUrl}/api/v1/tracks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { id } = await created.json();
  for (let i = 0; i < 360; i += 1) {
    const track = await (await fetch(`${baseUrl}/api/v1/tracks/${id}`)).json();
    if (track.status === 'ready') return { id, username: name };
    assert.notEqual(track.status, 'failed', track.status_message);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the track did not become ready');
}

describe('track page budgets', () => {
  test(`becomes interactive within ${kInteractiveBudgetMs} ms (median of ${kRuns} cold loads)`, { timeout: 300_000 }, async (t) => {
    const { id, username } = await readyTrack(e2e.url);
    // Interactive: the play button is enabled (the track is loaded and ready) and the waveform can seek.
    const controls = ['main button[class*="primary"]:not([disabled])', 'main [role=slider][aria-disabled="false"]'];
    const times = [];
    for (let i = 0; i < kRuns; i += 1) {
      const page = await e2e.newPage();
      times.push(await timeToInteractive(page, `/@${username}/budget-tone-${id}`, controls));
      await page.context().close();
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    t.diagnostic(`track page time to interactive (ms): ${times.map((x) => x.toFixed(0)).join(', ')}; median ${median.toFixed(0)}`);
    record('track_time_to_interactive_ms', { runs: times, median, budget: kInteractiveBudgetMs });
    assert.ok(median <= kInteractiveBudgetMs, `median ${median.toFixed(0)} ms > ${kInteractiveBudgetMs} ms`);
  });
});
