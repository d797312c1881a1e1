import { describe, expect, it } from 'vitest';
import {
  barSpan,
  parseWaveform,
  peakScale,
  peaksToColumns,
  playedColumns,
  positionForX,
  waveformDurationS,
} from './waveform';

const sample = {
  version: 2,
  channels: 1,
  sample_rate: 44100,
  samples_per_pixel: 441,
  bits: 8,
  length: 4,
  data: [-128, 127, -64, 64, 0, 0, -32, 96],
};

describe('parseWaveform', () => {
  it('normalises 8-bit min/max pairs to [-1, 1]', () => {
    const w = parseWaveform(sample)!;
    expect(w.length).toBe(4);
    expect(Array.from(w.data)).toEqual([-1, 127 / 128, -0.5, 0.5, 0, 0, -0.25, 0.75]);
    expect(waveformDurationS(w)).toBeCloseTo(0.04);
  });

  it('reads the first channel of a multi-channel file', () => {
    const w = parseWaveform({ ...sample, channels: 2, data: [-128, 127, 0, 0, -64, 64, 0, 0] })!;
    expect(w.length).toBe(2);
    expect(Array.from(w.data)).toEqual([-1, 127 / 128, -0.5, 0.5]);
  });

  it('refuses what it cannot draw', () => {
    expect(parseWaveform(null)).toBeNull();
    expect(parseWaveform({ ...sample, bits: 12 })).toBeNull();
    expect(parseWaveform({ ...sample, samples_per_pixel: 0 })).toBeNull();
    expect(parseWaveform({ ...sample, data: 'x' })).toBeNull();
  });
});

describe('peaksToColumns', () => {
  const w = parseWaveform(sample)!;

  it('keeps the extremes of every point when shrinking', () => {
    const c = peaksToColumns(w, 2);
    expect(Array.from(c.min)).toEqual([-1, -0.25]);
    expect(Array.from(c.max)).toEqual([127 / 128, 0.75]);
  });

  it('repeats points when stretching', () => {
    const c = peaksToColumns(w, 8);
    expect(Array.from(c.max)).toEqual([127 / 128, 127 / 128, 0.5, 0.5, 0, 0, 0.75, 0.75]);
  });

  it('handles an empty waveform and a zero width', () => {
    expect(peaksToColumns({ ...w, length: 0, data: new Float32Array() }, 3).max).toEqual(new Float32Array(3));
    expect(peaksToColumns(w, 0).max.length).toBe(0);
  });
});

describe('seek mapping', () => {
  it('maps pixels to seconds, clamped to the waveform', () => {
    expect(positionForX(50, 200, 120)).toBe(30);
    expect(positionForX(-10, 200, 120)).toBe(0);
    expect(positionForX(500, 200, 120)).toBe(120);
    expect(positionForX(10, 0, 120)).toBe(0);
  });

  it('colours the played columns', () => {
    expect(playedColumns(30, 120, 200)).toBe(50);
    expect(playedColumns(0, 120, 200)).toBe(0);
    expect(playedColumns(500, 120, 200)).toBe(200);
    expect(playedColumns(10, 0, 200)).toBe(0);
  });

  it('draws a bar at least one pixel tall around the middle', () => {
    expect(barSpan(-1, 1, 100)).toEqual({ y: 0, h: 100 });
    expect(barSpan(-0.5, 0.25, 100)).toEqual({ y: 37.5, h: 37.5 });
    expect(barSpan(0, 0, 100)).toEqual({ y: 49.5, h: 1 });
  });
});

describe('peakScale', () => {
  it('brings the loudest point to full height and leaves silence flat', () => {
    const quiet = parseWaveform({ ...sample, data: [-8, 8, -4, 6] })!;
    expect(peakScale(quiet)).toBe(16);
    const silent = parseWaveform({ ...sample, data: [0, 0, 0, 0] })!;
    expect(peakScale(silent)).toBe(1);
  });
});
