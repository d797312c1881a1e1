import { describe, expect, it } from 'vitest';
import { cropRect, kAvatarCrop, kBannerCrop, outputSize, panFocus } from './crop';

describe('cropRect', () => {
  it('takes the largest centred window of the aspect', () => {
    expect(cropRect(1000, 600, 1)).toEqual({ sx: 200, sy: 0, sw: 600, sh: 600 });
    expect(cropRect(600, 1000, 1)).toEqual({ sx: 0, sy: 200, sw: 600, sh: 600 });
    expect(cropRect(1200, 1200, 3)).toEqual({ sx: 0, sy: 400, sw: 1200, sh: 400 });
    expect(cropRect(3000, 500, 3)).toEqual({ sx: 750, sy: 0, sw: 1500, sh: 500 });
  });

  it('zooms into a smaller window and moves it with the focus, inside the image', () => {
    expect(cropRect(1000, 1000, 1, 2)).toEqual({ sx: 250, sy: 250, sw: 500, sh: 500 });
    expect(cropRect(1000, 1000, 1, 2, { x: 0, y: 1 })).toEqual({ sx: 0, sy: 500, sw: 500, sh: 500 });
    // Zoom and focus are clamped: the window never leaves the image.
    const rect = cropRect(1000, 1000, 1, 40, { x: 7, y: -3 });
    expect(rect.sw).toBe(250);
    expect(rect.sx + rect.sw).toBe(1000);
    expect(rect.sy).toBe(0);
  });
});

describe('panFocus', () => {
  it('follows the pointer and stops at the edges', () => {
    const rect = cropRect(2000, 1000, 1); // 1000×1000 window, 1000 px of room horizontally
    // A 250 px preview of a 1000 px window: 1 preview px is 4 source px.
    const moved = panFocus({ x: 0.5, y: 0.5 }, rect, 2000, 1000, 250, 50, 10);
    expect(moved.x).toBeCloseTo(0.3);
    expect(moved.y).toBe(0.5); // no vertical room
    expect(panFocus({ x: 0.5, y: 0.5 }, rect, 2000, 1000, 250, -10_000, 0).x).toBe(1);
  });
});

describe('outputSize', () => {
  it('is the server size, or the source pixels when fewer, at the exact aspect', () => {
    expect(outputSize(cropRect(4000, 3000, 3), kBannerCrop)).toEqual({ width: 1500, height: 500 });
    expect(outputSize(cropRect(4000, 3000, 1), kAvatarCrop)).toEqual({ width: 512, height: 512 });
    expect(outputSize(cropRect(300, 200, 1), kAvatarCrop)).toEqual({ width: 200, height: 200 });
    expect(outputSize(cropRect(600, 600, 3), kBannerCrop)).toEqual({ width: 600, height: 200 });
  });
});
