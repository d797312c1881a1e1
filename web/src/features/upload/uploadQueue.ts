import type { Track } from '../../api/types';
import { emptyTrackForm, fillBlanks, type TrackFormValues } from '../tracks/trackForm';

/** Samples older than this are dropped from the speed estimate. */
export const kSpeedWindowMs = 5000;

export interface TransferSample {
  atMs: number;
  bytes: number;
}

/** Bytes per second over the last few seconds, or null before there are two samples. */
export function transferSpeed(samples: readonly TransferSample[]): number | null {
  if (samples.length < 2) return null;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const ms = last.atMs - first.atMs;
  if (ms <= 0) return null;
  return Math.max(0, ((last.bytes - first.bytes) * 1000) / ms);
}

/** Seconds left at the current speed, or null when unknown. */
export function secondsLeft(sent: number, total: number, speed: number | null): number | null {
  if (speed === null || speed <= 0 || total <= 0) return null;
  return Math.max(0, (total - sent) / speed);
}

export function addSample(samples: readonly TransferSample[], sample: TransferSample): TransferSample[] {
  const kept = samples.filter((s) => sample.atMs - s.atMs <= kSpeedWindowMs && s.bytes <= sample.bytes);
  return [...kept, sample];
}

export type UploadPhase =
  | 'queued'
  | 'uploading'
  | 'paused'
  | 'creating'
  | 'processing'
  | 'ready'
  | 'failed';

export interface UploadEntry {
  id: number;
  file: File;
  phase: UploadPhase;
  sent: number;
  total: number;
  samples: TransferSample[];
  form: TrackFormValues;
  /** The form was prefilled from the file's tags. */
  fromTags: boolean;
  /** The title made from the file name, which the file's own title tag may replace. */
  autoTitle: string;
  cover: File | null;
  track: Track | null;
  error: string | null;
  /** The failure happened while processing (the upload itself is done). */
  processingFailed: boolean;
}

export type UploadAction =
  | { type: 'add'; entries: UploadEntry[] }
  | { type: 'remove'; id: number }
  | { type: 'form'; id: number; form: TrackFormValues }
  | { type: 'tags'; id: number; values: Partial<TrackFormValues> }
  | { type: 'cover'; id: number; cover: File | null }
  | { type: 'start'; id: number }
  | { type: 'progress'; id: number; sent: number; total: number; atMs: number }
  | { type: 'pause'; id: number }
  | { type: 'uploaded'; id: number }
  | { type: 'created'; id: number; track: Track }
  | { type: 'track'; id: number; track: Track }
  | { type: 'failed'; id: number; message: string };

export function newEntry(id: number, file: File, title: string): UploadEntry {
  return {
    id,
    file,
    phase: 'queued',
    sent: 0,
    total: file.size,
    samples: [],
    form: emptyTrackForm(title),
    fromTags: false,
    autoTitle: title,
    cover: null,
    track: null,
    error: null,
    processingFailed: false,
  };
}

function patch(list: UploadEntry[], id: number, change: (e: UploadEntry) => UploadEntry): UploadEntry[] {
  return list.map((e) => (e.id === id ? change(e) : e));
}

/** Values the server detected, for the fields of the form the uploader left empty. */
function detectedValues(track: Track): Partial<TrackFormValues> {
  const bpm = track.bpm ?? track.detected_bpm;
  return {
    bpm: bpm ? String(bpm) : '',
    musicalKey: track.musical_key ?? track.detected_key ?? '',
    genre: track.genre ?? '',
    lyrics: track.lyrics ?? '',
    tags: track.tags.join(', '),
  };
}

export function uploadsReducer(list: UploadEntry[], action: UploadAction): UploadEntry[] {
  switch (action.type) {
    case 'add':
      return [...list, ...action.entries];
    case 'remove':
      return list.filter((e) => e.id !== action.id);
    case 'form':
      return patch(list, action.id, (e) => ({ ...e, form: action.form }));
    case 'tags':
      // Tags arrive after the user may have typed: they only fill what is still empty.
      return patch(list, action.id, (e) => {
        const form = e.form.title === e.autoTitle ? { ...e.form, title: '' } : e.form;
        const filled = fillBlanks(form, action.values);
        return { ...e, form: filled.title ? filled : { ...filled, title: e.form.title }, fromTags: true };
      });
    case 'cover':
      return patch(list, action.id, (e) => ({ ...e, cover: action.cover }));
    case 'start':
      return patch(list, action.id, (e) => ({ ...e, phase: 'uploading', error: null, samples: [] }));
    case 'progress':
      return patch(list, action.id, (e) =>
        e.phase === 'uploading' || e.phase === 'queued'
          ? {
              ...e,
              phase: 'uploading',
              sent: action.sent,
              total: action.total,
              samples: addSample(e.samples, { atMs: action.atMs, bytes: action.sent }),
            }
          : e,
      );
    case 'pause':
      return patch(list, action.id, (e) => (e.phase === 'uploading' ? { ...e, phase: 'paused', samples: [] } : e));
    case 'uploaded':
      return patch(list, action.id, (e) => ({ ...e, phase: 'creating', sent: e.total, samples: [] }));
    case 'created':
    case 'track': {
      const { track } = action;
      return patch(list, action.id, (e) => {
        const phase: UploadPhase =
          track.status === 'ready' ? 'ready' : track.status === 'failed' ? 'failed' : 'processing';
        const wasProcessing = e.track?.status === 'processing' || action.type === 'created';
        return {
          ...e,
          track,
          phase,
          error: track.status === 'failed' ? (track.status_message ?? '') : null,
          processingFailed: track.status === 'failed',
          // When processing ends, what was detected fills what the uploader left empty.
          form: wasProcessing && track.status === 'ready' ? fillBlanks(e.form, detectedValues(track)) : e.form,
        };
      });
    }
    case 'failed':
      return patch(list, action.id, (e) => ({ ...e, phase: 'failed', error: action.message, samples: [] }));
  }
}

/** Entries whose upload may be started (or restarted after a failure of the transfer). */
export function startable(e: UploadEntry): boolean {
  return e.phase === 'queued' || (e.phase === 'failed' && !e.processingFailed && e.track === null);
}
