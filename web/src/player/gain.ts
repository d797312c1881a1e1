/** Gain and fade math for the audio engine; pure so it is tested without Web Audio. */

export function dbToLinear(db: number): number {
  return 10 ** (db / 20);
}

export function linearToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

/** Output ceiling after normalisation, in dBTP: 1 dB of headroom for inter-sample peaks. */
export const kTruePeakCeilingDbtp = -1;

/** Bounds so a wrong or hostile measurement cannot make a track silent or deafening. */
export const kMinGainDb = -24;
export const kMaxGainDb = 12;

/**
 * Loudness normalisation gain (linear) from a track's `replay_gain_db`, limited so the track's
 * true peak stays under the ceiling. Without a known peak a boost could clip, so only cuts apply.
 * Unknown loudness or normalisation off means unity gain.
 */
export function normalizationGain(
  replayGainDb: number | null,
  truePeakDbtp: number | null,
  enabled: boolean,
): number {
  if (!enabled || replayGainDb === null || !Number.isFinite(replayGainDb)) return 1;
  let gainDb = replayGainDb;
  if (truePeakDbtp !== null && Number.isFinite(truePeakDbtp)) {
    gainDb = Math.min(gainDb, kTruePeakCeilingDbtp - truePeakDbtp);
  } else {
    gainDb = Math.min(gainDb, 0);
  }
  gainDb = Math.min(Math.max(gainDb, kMinGainDb), kMaxGainDb);
  return dbToLinear(gainDb);
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}

/** Equal-power fade-in at progress t in [0, 1]: in² + out² = 1 keeps loudness constant. */
export function fadeInGain(t: number): number {
  return Math.sin(clamp01(t) * (Math.PI / 2));
}

export function fadeOutGain(t: number): number {
  return Math.cos(clamp01(t) * (Math.PI / 2));
}

/** Sampled curve for AudioParam.setValueCurveAtTime, scaled by the deck's own gain. */
export function fadeCurve(direction: 'in' | 'out', scale = 1, points = 64): Float32Array {
  const curve = new Float32Array(points);
  const fn = direction === 'in' ? fadeInGain : fadeOutGain;
  for (let i = 0; i < points; i++) curve[i] = scale * fn(i / (points - 1));
  return curve;
}

export const kMaxCrossfadeS = 12;

export function clampCrossfade(seconds: number): number {
  if (!Number.isFinite(seconds)) return 0;
  return Math.min(Math.max(seconds, 0), kMaxCrossfadeS);
}

/**
 * The overlap actually used between two tracks: the setting, but never more than half of either
 * track so short tracks are still heard on their own. Zero means a gapless hand-over.
 */
export function crossfadeWindowS(settingS: number, currentS: number, nextS: number | null): number {
  const setting = clampCrossfade(settingS);
  if (setting === 0 || !Number.isFinite(currentS) || currentS <= 0) return 0;
  const limit = Math.min(currentS / 2, nextS !== null && nextS > 0 ? nextS / 2 : Infinity);
  return Math.min(setting, limit);
}

/**
 * Milliseconds until the next track must start: at `duration - window` of the current one.
 * Negative when already late (start at once).
 */
export function msUntilTransition(
  durationS: number,
  currentTimeS: number,
  windowS: number,
  playbackRate = 1,
): number {
  return ((durationS - windowS - currentTimeS) / (playbackRate || 1)) * 1000;
}

/** Perceptual volume slider: a squared curve gives finer steps at low volume. */
export function volumeToGain(volume: number, muted: boolean): number {
  if (muted) return 0;
  const v = clamp01(volume);
  return v * v;
}
