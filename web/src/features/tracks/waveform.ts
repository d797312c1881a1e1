/** Peaks in the BBC audiowaveform JSON format (version 2, one channel, 8-bit min/max pairs). */
export interface WaveformData {
  sampleRate: number;
  samplesPerPixel: number;
  /** Number of min/max pairs. */
  length: number;
  /** Interleaved min, max pairs, each in [-1, 1]. */
  data: Float32Array;
}

/** One drawable column per pixel: the lowest and highest value of the points it covers. */
export interface Columns {
  min: Float32Array;
  max: Float32Array;
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * Validates and normalises the server's JSON. Returns null for anything that is not a version 2
 * waveform we can draw (a broken file must not break the track page).
 */
export function parseWaveform(json: unknown): WaveformData | null {
  if (typeof json !== 'object' || json === null) return null;
  const w = json as Record<string, unknown>;
  const bits = w.bits === 16 ? 16 : w.bits === 8 ? 8 : null;
  const channels = w.channels === undefined ? 1 : positiveInt(w.channels);
  const sampleRate = positiveInt(w.sample_rate);
  const samplesPerPixel = positiveInt(w.samples_per_pixel);
  if (bits === null || channels === null || !sampleRate || !samplesPerPixel || !Array.isArray(w.data)) {
    return null;
  }
  const raw = w.data as unknown[];
  // Multi-channel files interleave min/max per channel; the first channel is enough to draw.
  const stride = 2 * channels;
  const length = Math.floor(raw.length / stride);
  const scale = bits === 8 ? 128 : 32768;
  const data = new Float32Array(length * 2);
  for (let i = 0; i < length; i += 1) {
    const lo = Number(raw[i * stride]);
    const hi = Number(raw[i * stride + 1]);
    data[2 * i] = Number.isFinite(lo) ? Math.max(-1, Math.min(1, lo / scale)) : 0;
    data[2 * i + 1] = Number.isFinite(hi) ? Math.max(-1, Math.min(1, hi / scale)) : 0;
  }
  return { sampleRate, samplesPerPixel, length, data };
}

/** Seconds the waveform covers. */
export function waveformDurationS(w: WaveformData): number {
  return (w.length * w.samplesPerPixel) / w.sampleRate;
}

/**
 * Resamples the peaks to `width` columns. Each column takes the extremes of every point that
 * falls inside it (so no peak disappears when shrinking); when stretching, a column repeats the
 * point under it.
 */
export function peaksToColumns(w: WaveformData, width: number): Columns {
  const count = Math.max(0, Math.floor(width));
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  if (w.length === 0) return { min, max };
  for (let x = 0; x < count; x += 1) {
    const start = Math.floor((x * w.length) / count);
    const end = Math.max(start + 1, Math.floor(((x + 1) * w.length) / count));
    let lo = 1;
    let hi = -1;
    for (let i = start; i < end && i < w.length; i += 1) {
      lo = Math.min(lo, w.data[2 * i] ?? 0);
      hi = Math.max(hi, w.data[2 * i + 1] ?? 0);
    }
    min[x] = lo > hi ? 0 : lo;
    max[x] = lo > hi ? 0 : hi;
  }
  return { min, max };
}

/** The time under a pointer at `x` pixels into a waveform `width` pixels wide. */
export function positionForX(x: number, width: number, durationS: number): number {
  if (!(width > 0) || !(durationS > 0)) return 0;
  return (Math.max(0, Math.min(x, width)) / width) * durationS;
}

/** How many columns are drawn as played at `positionS`. */
export function playedColumns(positionS: number, durationS: number, columns: number): number {
  if (!(durationS > 0) || !(positionS > 0)) return 0;
  return Math.min(columns, Math.round((positionS / durationS) * columns));
}

/** Pixel span of one column's bar, centred on the middle line, at least 1 px tall. */
export function barSpan(minValue: number, maxValue: number, height: number): { y: number; h: number } {
  const mid = height / 2;
  const top = mid - Math.max(0, maxValue) * mid;
  const bottom = mid - Math.min(0, minValue) * mid;
  if (bottom - top >= 1) return { y: top, h: bottom - top };
  return { y: (top + bottom) / 2 - 0.5, h: 1 };
}

/**
 * Gain that makes the loudest point reach full height, like most music sites draw: a quiet
 * master still shows its shape. Silence stays flat.
 */
export function peakScale(w: WaveformData): number {
  let peak = 0;
  for (const value of w.data) peak = Math.max(peak, Math.abs(value));
  return peak > 1 / 128 ? 1 / peak : 1;
}
