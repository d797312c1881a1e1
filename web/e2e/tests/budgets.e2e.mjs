// Performance budgets of the home page on loopback: initial JavaScript and time to interactive.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ensureOutputDir, loadedScripts, timeToInteractive, useE2E } from '../support/index.mjs';

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
