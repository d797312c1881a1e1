/** What end-to-end tests reuse: server lifecycle, browser/page factory, app helpers, axe, audio. */
export { kDistDir, kOutputDir, kRepoRoot, kWebDir, ensureOutputDir, makeTempDir } from './paths.mjs';
export { sharedServer, startServer, vezaBin } from './server.mjs';
export { kChromium, kChromiumFlags, kViewports, launchBrowser, watchConsole } from './browser.mjs';
export { assertShell, describeFocus, fetchEnvelope, gotoApp, loadedScripts, nextFrames, settle, timeToInteractive } from './app.mjs';
export { useE2E } from './fixture.mjs';
export { formatViolations, runAxe } from './axe.mjs';
export { generateAudio, probeAudio } from './audio.mjs';
