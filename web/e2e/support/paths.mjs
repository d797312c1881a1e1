import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** web/ */
export const kWebDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository root (web/..). */
export const kRepoRoot = path.resolve(kWebDir, '..');
export const kDistDir = path.join(kWebDir, 'dist');
/** Screenshots and logs land here; /test-output/ is gitignored. */
export const kOutputDir = path.join(kRepoRoot, 'test-output', 'e2e');

/** A fresh directory under the system temp dir; the caller removes it. */
export function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function ensureOutputDir(...parts) {
  const dir = path.join(kOutputDir, ...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
