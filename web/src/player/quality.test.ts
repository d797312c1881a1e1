import { describe, expect, it } from 'vitest';
import { bitrateLabel, levelForQuality, prefersNativeHls } from './quality';

const ladder = [
  { index: 0, bitrate: 128_000, codec: 'mp4a.40.2' },
  { index: 1, bitrate: 192_000, codec: 'mp4a.40.2' },
  { index: 2, bitrate: 256_000, codec: 'mp4a.40.2' },
];

describe('quality', () => {
  it('auto leaves the choice to the ABR', () => {
    expect(levelForQuality(ladder, 'auto')).toBe(-1);
    expect(levelForQuality([], 192_000)).toBe(-1);
  });

  it('picks the best rendition under the cap, whatever the ladder order', () => {
    expect(levelForQuality(ladder, 192_000)).toBe(1);
    expect(levelForQuality(ladder, 200_000)).toBe(1);
    expect(levelForQuality(ladder, 1_000_000)).toBe(2);
    expect(levelForQuality([...ladder].reverse(), 256_000)).toBe(2);
  });

  it('falls back to the lightest rendition when all exceed the cap', () => {
    expect(levelForQuality(ladder, 64_000)).toBe(0);
  });

  it('labels bitrates', () => {
    expect(bitrateLabel(191_800)).toBe('192 kbps');
  });

  it('uses native HLS only where the browser is not Chromium', () => {
    expect(prefersNativeHls('maybe', false)).toBe(true);
    expect(prefersNativeHls('maybe', true)).toBe(false);
    expect(prefersNativeHls('', false)).toBe(false);
  });
});
