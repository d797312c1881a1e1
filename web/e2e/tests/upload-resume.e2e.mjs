// Resumable uploads survive a reload: an upload interrupted by a page reload is listed as
// unfinished, and dropping the same file again resumes it at the server's offset (HEAD, then
// PATCH to the same upload URL) instead of starting over. Needs a server with tus at /uploads.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateAudio, gotoApp, makeTempDir, useE2E } from '../support/index.mjs';

const e2e = useE2E();

describe('resumable upload', () => {
  test('an upload cut by a reload resumes when the file is dropped again', { timeout: 300_000 }, async (t) => {
    const page = await e2e.newPage();
    const hasTus = await page.request
      .fetch(`${e2e.url}/api/v1/uploads`, { method: 'OPTIONS' })
      .then((r) => r.ok() && (r.headers()['tus-version'] ?? '').includes('1.0.0'));
    if (!hasTus) {
      t.skip('this server has no tus uploads');
      return;
    }
    const username = `e2e_resume_${Date.now().toString(36)}`;
    await gotoApp(page, '/signup');
    const main = page.locator('main');
    await main.getByRole('textbox', { name: /^Email/ }).fill(`${username}@example.com`);
    await main.getByRole('textbox', { name: /^Username/ }).fill(username);
    await main.getByLabel(/^Password/).fill(`resume-${username}-Secret!`);
    await main.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('banner').getByRole('button', { name: username }).waitFor();

    const file = await generateAudio({ dir: makeTempDir('veza-e2e-resume-'), name: 'resume-me', format: 'wav', seconds: 8 });
    await gotoApp(page, '/upload');
    // No PATCH reaches the server (the client keeps retrying) until the page is reloaded.
    let created = null;
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/uploads') created = r.headers().location;
    });
    let refused = 0;
    await page.route('**/api/v1/uploads/*', (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      refused += 1;
      return route.abort('connectionreset');
    });
    await page.locator('main input[type=file][multiple]').setInputFiles(file);
    await main.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('tus::')), null, { timeout: 15_000 });
    for (let i = 0; i < 40 && refused === 0; i += 1) await page.waitForTimeout(250);
    assert.ok(created && refused > 0, 'the upload was created and its data refused');
    await page.reload();
    await page.unroute('**/api/v1/uploads/*');

    // After the reload the unfinished upload is listed; dropping the file again resumes it.
    const unfinished = main.getByRole('region', { name: 'Unfinished uploads' });
    await unfinished.getByText('resume-me.wav').waitFor();
    const resumedRequests = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/uploads')) resumedRequests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.locator('main input[type=file][multiple]').setInputFiles(file);
    await page.waitForFunction(
      () => [...document.querySelectorAll('main [role=status]')].some((s) => /Processing|Ready to play/.test(s.textContent)),
      null,
      { timeout: 60_000 },
    );
    const uploadPath = new URL(created, e2e.url).pathname;
    t.diagnostic(`after reload: ${resumedRequests.join(', ')}`);
    assert.ok(resumedRequests.includes(`HEAD ${uploadPath}`), 'the offset was asked for');
    assert.ok(resumedRequests.includes(`PATCH ${uploadPath}`), 'the same upload was continued');
    assert.ok(!resumedRequests.includes('POST /api/v1/uploads'), 'no new upload was created');
    assert.equal(await unfinished.count(), 0, 'the list of unfinished uploads is gone');
  });
});
