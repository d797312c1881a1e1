import { describe, expect, it } from 'vitest';
import type { Track } from '../../api/types';
import {
  addSample,
  newEntry,
  secondsLeft,
  startable,
  transferSpeed,
  uploadsReducer,
  type UploadEntry,
} from './uploadQueue';

function file(name = 'song.flac', size = 10_000_000): File {
  return Object.defineProperty(new File([], name, { type: 'audio/flac' }), 'size', { value: size });
}

function track(overrides: Partial<Track> = {}): Track {
  return {
    id: '7',
    user_id: '1',
    title: 'Song',
    tags: [],
    visibility: 'public',
    downloadable: false,
    licence: 'all_rights_reserved',
    explicit: false,
    status: 'processing',
    progress: { stage: 'queued', percent: 0 },
    duration_ms: 0,
    original: {},
    play_count: 0,
    created_at: '',
    updated_at: '',
    ...overrides,
  } as Track;
}

describe('transfer speed and time left', () => {
  it('measures bytes per second over a sliding window', () => {
    let samples = addSample([], { atMs: 0, bytes: 0 });
    expect(transferSpeed(samples)).toBeNull();
    samples = addSample(samples, { atMs: 1000, bytes: 2_000_000 });
    samples = addSample(samples, { atMs: 2000, bytes: 4_000_000 });
    expect(transferSpeed(samples)).toBe(2_000_000);
    expect(secondsLeft(4_000_000, 10_000_000, transferSpeed(samples))).toBe(3);
    // Old samples leave the window, so a slowdown shows quickly.
    samples = addSample(samples, { atMs: 8000, bytes: 5_000_000 });
    samples = addSample(samples, { atMs: 9000, bytes: 5_500_000 });
    expect(samples.map((s) => s.atMs)).toEqual([8000, 9000]);
    expect(transferSpeed(samples)).toBe(500_000);
  });

  it('is unknown without progress', () => {
    expect(secondsLeft(0, 100, null)).toBeNull();
    expect(secondsLeft(0, 100, 0)).toBeNull();
    expect(transferSpeed([{ atMs: 5, bytes: 1 }, { atMs: 5, bytes: 9 }])).toBeNull();
  });

  it('restarts the window when a resumed upload starts again from an earlier offset', () => {
    const samples = addSample([{ atMs: 0, bytes: 5000 }], { atMs: 100, bytes: 4000 });
    expect(samples).toEqual([{ atMs: 100, bytes: 4000 }]);
  });
});

describe('uploadsReducer', () => {
  const start: UploadEntry[] = [newEntry(1, file(), 'song')];

  it('goes through upload, pause, resume, creation and processing', () => {
    let list = uploadsReducer(start, { type: 'start', id: 1 });
    expect(list[0]!.phase).toBe('uploading');
    list = uploadsReducer(list, { type: 'progress', id: 1, sent: 1_000_000, total: 10_000_000, atMs: 0 });
    list = uploadsReducer(list, { type: 'progress', id: 1, sent: 3_000_000, total: 10_000_000, atMs: 1000 });
    expect(transferSpeed(list[0]!.samples)).toBe(2_000_000);
    list = uploadsReducer(list, { type: 'pause', id: 1 });
    expect(list[0]!.phase).toBe('paused');
    expect(list[0]!.sent).toBe(3_000_000);
    // Late progress from the aborted request does not undo the pause.
    list = uploadsReducer(list, { type: 'progress', id: 1, sent: 3_100_000, total: 10_000_000, atMs: 1100 });
    expect(list[0]!.phase).toBe('paused');
    list = uploadsReducer(list, { type: 'start', id: 1 });
    list = uploadsReducer(list, { type: 'progress', id: 1, sent: 10_000_000, total: 10_000_000, atMs: 3000 });
    list = uploadsReducer(list, { type: 'uploaded', id: 1 });
    expect(list[0]!.phase).toBe('creating');
    list = uploadsReducer(list, { type: 'created', id: 1, track: track() });
    expect(list[0]!.phase).toBe('processing');
    list = uploadsReducer(list, {
      type: 'track',
      id: 1,
      track: track({ status: 'ready', detected_bpm: 128, bpm: 128, detected_key: 'A minor' }),
    });
    expect(list[0]!.phase).toBe('ready');
    expect(list[0]!.form.bpm).toBe('128');
    expect(list[0]!.form.musicalKey).toBe('A minor');
  });

  it('lets the title tag replace the title made from the file name', () => {
    const list = uploadsReducer(start, { type: 'tags', id: 1, values: { title: 'Real Title' } });
    expect(list[0]!.form.title).toBe('Real Title');
    const untagged = uploadsReducer(start, { type: 'tags', id: 1, values: {} });
    expect(untagged[0]!.form.title).toBe('song');
  });

  it('keeps what the user typed over file tags and detected values', () => {
    let list = uploadsReducer(start, { type: 'form', id: 1, form: { ...start[0]!.form, title: 'Mine', bpm: '90' } });
    list = uploadsReducer(list, { type: 'tags', id: 1, values: { title: 'From tags', genre: 'House' } });
    expect(list[0]!.form.title).toBe('Mine');
    expect(list[0]!.form.genre).toBe('House');
    expect(list[0]!.fromTags).toBe(true);
    list = uploadsReducer(list, { type: 'created', id: 1, track: track() });
    list = uploadsReducer(list, { type: 'track', id: 1, track: track({ status: 'ready', detected_bpm: 128 }) });
    expect(list[0]!.form.bpm).toBe('90');
  });

  it('shows why processing failed, and does not offer a new upload for it', () => {
    let list = uploadsReducer(start, { type: 'created', id: 1, track: track() });
    list = uploadsReducer(list, {
      type: 'track',
      id: 1,
      track: track({ status: 'failed', status_message: 'Not audio', progress: { stage: 'failed', percent: 0 } }),
    });
    expect(list[0]!.phase).toBe('failed');
    expect(list[0]!.error).toBe('Not audio');
    expect(startable(list[0]!)).toBe(false);
    const transferFailed = uploadsReducer(start, { type: 'failed', id: 1, message: 'offline' });
    expect(startable(transferFailed[0]!)).toBe(true);
  });
});
