import { describe, expect, it } from 'vitest';
import {
  clampCrossfade,
  crossfadeWindowS,
  dbToLinear,
  fadeCurve,
  fadeInGain,
  fadeOutGain,
  linearToDb,
  msUntilTransition,
  normalizationGain,
  volumeToGain,
} from './gain';

describe('normalizationGain', () => {
  it('is unity when off or unknown', () => {
    expect(normalizationGain(-6, -1, false)).toBe(1);
    expect(normalizationGain(null, -1, true)).toBe(1);
    expect(normalizationGain(Number.NaN, null, true)).toBe(1);
  });

  it('applies a cut as measured', () => {
    expect(linearToDb(normalizationGain(-6, -0.5, true))).toBeCloseTo(-6, 6);
  });

  it('applies a boost while the true peak stays under -1 dBTP', () => {
    // Peak at -9 dBTP leaves 8 dB of room: a 5 dB boost passes whole.
    expect(linearToDb(normalizationGain(5, -9, true))).toBeCloseTo(5, 6);
  });

  it('limits a boost so the true peak lands at -1 dBTP', () => {
    expect(linearToDb(normalizationGain(8, -4, true))).toBeCloseTo(3, 6);
    // A track already peaking above the ceiling is cut even if its loudness asks for a boost.
    expect(linearToDb(normalizationGain(2, 0.5, true))).toBeCloseTo(-1.5, 6);
  });

  it('never boosts without a known true peak', () => {
    expect(normalizationGain(4, null, true)).toBe(1);
    expect(linearToDb(normalizationGain(-3, null, true))).toBeCloseTo(-3, 6);
  });

  it('clamps absurd measurements', () => {
    expect(linearToDb(normalizationGain(-80, 0, true))).toBeCloseTo(-24, 6);
    expect(linearToDb(normalizationGain(40, -60, true))).toBeCloseTo(12, 6);
  });

  it('converts dB both ways', () => {
    expect(dbToLinear(0)).toBe(1);
    expect(dbToLinear(-20)).toBeCloseTo(0.1, 10);
    expect(linearToDb(dbToLinear(-7.3))).toBeCloseTo(-7.3, 10);
  });
});

describe('equal-power crossfade', () => {
  it('starts and ends at the right gains', () => {
    expect(fadeInGain(0)).toBe(0);
    expect(fadeInGain(1)).toBeCloseTo(1, 12);
    expect(fadeOutGain(0)).toBe(1);
    expect(fadeOutGain(1)).toBeCloseTo(0, 12);
  });

  it('keeps constant power across the fade', () => {
    for (let t = 0; t <= 1; t += 0.05) {
      expect(fadeInGain(t) ** 2 + fadeOutGain(t) ** 2).toBeCloseTo(1, 10);
    }
    expect(fadeInGain(0.5)).toBeCloseTo(Math.SQRT1_2, 10);
  });

  it('clamps progress outside [0, 1]', () => {
    expect(fadeInGain(-1)).toBe(0);
    expect(fadeOutGain(2)).toBeCloseTo(0, 12);
  });

  it('samples monotonic curves scaled by the deck gain', () => {
    const up = fadeCurve('in', 0.5, 32);
    const down = fadeCurve('out', 0.5, 32);
    expect(up).toHaveLength(32);
    expect(up[0]).toBe(0);
    expect(up[31]).toBeCloseTo(0.5, 6);
    expect(down[0]).toBeCloseTo(0.5, 6);
    expect(down[31]).toBeCloseTo(0, 6);
    for (let i = 1; i < 32; i++) {
      expect(up[i]!).toBeGreaterThan(up[i - 1]!);
      expect(down[i]!).toBeLessThan(down[i - 1]!);
    }
  });
});

describe('crossfade window and timing', () => {
  it('clamps the setting to 0–12 s', () => {
    expect(clampCrossfade(-1)).toBe(0);
    expect(clampCrossfade(30)).toBe(12);
    expect(clampCrossfade(Number.NaN)).toBe(0);
    expect(clampCrossfade(4.5)).toBe(4.5);
  });

  it('is zero (gapless) when off', () => {
    expect(crossfadeWindowS(0, 200, 200)).toBe(0);
  });

  it('never exceeds half of either track', () => {
    expect(crossfadeWindowS(8, 200, 200)).toBe(8);
    expect(crossfadeWindowS(8, 10, 200)).toBe(5);
    expect(crossfadeWindowS(8, 200, 6)).toBe(3);
    expect(crossfadeWindowS(8, 200, null)).toBe(8);
    expect(crossfadeWindowS(8, Number.NaN, 100)).toBe(0);
  });

  it('schedules the hand-over at duration minus the window', () => {
    expect(msUntilTransition(180, 170, 0)).toBe(10_000);
    expect(msUntilTransition(180, 170, 4)).toBe(6_000);
    expect(msUntilTransition(180, 179.5, 0, 2)).toBe(250);
    expect(msUntilTransition(180, 181, 0)).toBeLessThan(0);
  });
});

describe('volumeToGain', () => {
  it('maps the slider with a squared curve and honours mute', () => {
    expect(volumeToGain(1, false)).toBe(1);
    expect(volumeToGain(0.5, false)).toBe(0.25);
    expect(volumeToGain(0.8, true)).toBe(0);
    expect(volumeToGain(3, false)).toBe(1);
  });
});
