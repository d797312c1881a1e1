import type { Quality, Rendition } from './types';

/**
 * hls.js level index for a quality setting: -1 lets the ABR choose; a bitrate cap picks the best
 * rendition at or under it, or the lightest one when all are above it.
 */
export function levelForQuality(levels: readonly Rendition[], quality: Quality): number {
  if (quality === 'auto' || levels.length === 0) return -1;
  let best: Rendition | null = null;
  let lightest: Rendition | null = null;
  for (const level of levels) {
    if (lightest === null || level.bitrate < lightest.bitrate) lightest = level;
    if (level.bitrate <= quality && (best === null || level.bitrate > best.bitrate)) best = level;
  }
  return (best ?? lightest)?.index ?? -1;
}

/** "192 kbps" style label from bits per second. */
export function bitrateLabel(bitrate: number): string {
  return `${Math.round(bitrate / 1000)} kbps`;
}

/**
 * Safari plays HLS itself and is the reference there. Chromium also claims HLS in canPlayType
 * lately but exposes no renditions, so Chromium browsers (the ones with userAgentData) use hls.js.
 */
export function prefersNativeHls(canPlayHls: string, hasUserAgentData: boolean): boolean {
  return canPlayHls !== '' && !hasUserAgentData;
}
