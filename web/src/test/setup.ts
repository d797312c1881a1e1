import { afterEach } from 'vitest';

// Only DOM test files (marked `@vitest-environment jsdom`) have a document to clean.
if (typeof document !== 'undefined') {
  await import('@testing-library/jest-dom/vitest');
  const { cleanup } = await import('@testing-library/react');
  afterEach(() => {
    cleanup();
    localStorage.clear();
  });
}
