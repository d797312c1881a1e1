import type { PlayerTrack } from './types';

/** Builder for player tracks in tests. */
export function track(id: string, overrides: Partial<PlayerTrack> = {}): PlayerTrack {
  return {
    id,
    title: `Track ${id}`,
    artist: 'Artist',
    artistUsername: 'artist',
    coverUrl: null,
    durationMs: 180_000,
    replayGainDb: null,
    truePeakDbtp: null,
    ...overrides,
  };
}

/** Deterministic key source: k1, k2, … (a prefix keeps two sources apart). */
export function counterKeys(prefix = 'k'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** Deterministic PRNG (mulberry32) so shuffles are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
