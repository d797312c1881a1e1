import { describe, expect, it, vi } from 'vitest';
import type { StateStorage } from 'zustand/middleware';
import { currentItem } from './queue';
import {
  createPlayerStore,
  createStatusStore,
  kPlayerStorageKey,
  sanitizePersisted,
  type EngineCommands,
} from './store';
import { counterKeys, seededRandom, track } from './testing';

function memoryStorage(): StateStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function fakeEngine(position = 0): EngineCommands & { seeks: number[] } {
  const seeks: number[] = [];
  return { seeks, seek: (s) => void seeks.push(s), positionS: () => position };
}

const tracks = ['a', 'b', 'c'].map((id) => track(id, { durationMs: 60_000 }));

function newStore(storage = memoryStorage()) {
  return createPlayerStore({ storage, random: seededRandom(1), newKey: counterKeys() });
}

describe('player store', () => {
  it('persists queue, position and settings and restores them in a new store', () => {
    const storage = memoryStorage();
    const a = newStore(storage);
    a.getState().playTracks(tracks, 1);
    a.getState().setVolume(0.42);
    a.getState().toggleMute();
    a.getState().cycleRepeat();
    a.getState().setCrossfade(20);
    a.getState().setNormalize(false);
    a.getState().setQuality(192_000);
    a.getState().toggleShuffle();
    a.getState().savePosition(33.5);

    const b = createPlayerStore({ storage, random: seededRandom(2), newKey: counterKeys('x') });
    const s = b.getState();
    expect(s.items.map((i) => i.track.id)).toEqual(['a', 'b', 'c']);
    expect(s.order).toEqual(a.getState().order);
    expect(currentItem(s)?.track.id).toBe('b');
    expect(s).toMatchObject({
      volume: 0.42,
      muted: true,
      repeat: 'all',
      crossfadeS: 12,
      normalize: false,
      quality: 192_000,
      shuffle: true,
      resumePositionS: 33.5,
    });
    // Playback never resumes by itself after a reload.
    expect(s.wantsPlay).toBe(false);
  });

  it('does not persist engine facts or the play intent', () => {
    const storage = memoryStorage();
    const store = newStore(storage);
    store.getState().playTracks(tracks);
    const saved = JSON.parse(storage.data.get(kPlayerStorageKey)!) as { state: object };
    expect(Object.keys(saved.state).sort()).toEqual(
      [
        'crossfadeS',
        'currentKey',
        'items',
        'muted',
        'normalize',
        'order',
        'quality',
        'repeat',
        'resumePositionS',
        'shuffle',
        'volume',
      ].sort(),
    );
  });

  it('ignores corrupt persisted data', () => {
    const storage = memoryStorage();
    storage.setItem(kPlayerStorageKey, '{"state":{"items":[{"nope":1}],"order":["z"],"volume":7,"repeat":"sometimes"},"version":1}');
    const s = newStore(storage).getState();
    expect(s.items).toEqual([]);
    expect(s.volume).toBe(1);
    expect(s.repeat).toBe('off');
    storage.setItem(kPlayerStorageKey, 'not json');
    expect(() => newStore(storage)).not.toThrow();
  });

  it('sanitizes keys: order must match items and current must exist', () => {
    const item = { key: 'k1', track: track('a') };
    expect(sanitizePersisted({ items: [item], order: ['k1'], currentKey: 'gone' }).currentKey).toBe('k1');
    expect(sanitizePersisted({ items: [item], order: [] }).items).toBeUndefined();
    expect(sanitizePersisted(null)).toEqual({});
    expect(sanitizePersisted({ quality: -5 }).quality).toBeUndefined();
  });

  it('next and previous move through the queue', () => {
    const store = newStore();
    store.getState().playTracks(tracks);
    store.getState().attachEngine(fakeEngine(1));
    store.getState().next();
    expect(currentItem(store.getState())?.track.id).toBe('b');
    store.getState().previous();
    expect(currentItem(store.getState())?.track.id).toBe('a');
  });

  it('previous restarts the track after 3 s of play', () => {
    const store = newStore();
    store.getState().playTracks(tracks, 1);
    const engine = fakeEngine(10);
    store.getState().attachEngine(engine);
    store.getState().previous();
    expect(currentItem(store.getState())?.track.id).toBe('b');
    expect(engine.seeks).toEqual([0]);
  });

  it('stops at the end of the queue with repeat off, ready to replay', () => {
    const store = newStore();
    store.getState().playTracks(tracks, 2);
    const engine = fakeEngine();
    store.getState().attachEngine(engine);
    store.getState().trackEnded();
    expect(store.getState().wantsPlay).toBe(false);
    expect(currentItem(store.getState())?.track.id).toBe('c');
    expect(engine.seeks).toEqual([0]);
  });

  it('repeat one replays the ended track; repeat all wraps', () => {
    const store = newStore();
    store.getState().playTracks(tracks, 2);
    const engine = fakeEngine();
    store.getState().attachEngine(engine);
    store.getState().cycleRepeat();
    store.getState().trackEnded();
    expect(currentItem(store.getState())?.track.id).toBe('a');
    store.getState().cycleRepeat();
    expect(store.getState().repeat).toBe('one');
    store.getState().trackEnded();
    expect(currentItem(store.getState())?.track.id).toBe('a');
    expect(engine.seeks).toEqual([0]);
    expect(store.getState().wantsPlay).toBe(true);
  });

  it('a hand-over from the engine makes the next track current without seeking', () => {
    const store = newStore();
    store.getState().playTracks(tracks);
    const engine = fakeEngine();
    store.getState().attachEngine(engine);
    store.getState().handedOver(store.getState().order[1]!);
    expect(currentItem(store.getState())?.track.id).toBe('b');
    expect(engine.seeks).toEqual([]);
  });

  it('seekBy stays within the track and reports the position', () => {
    const status = createStatusStore();
    const store = createPlayerStore({ storage: memoryStorage(), status, newKey: counterKeys() });
    store.getState().playTracks(tracks);
    const engine = fakeEngine(58);
    store.getState().attachEngine(engine);
    status.setState({ durationS: 60 });
    store.getState().seekBy(5);
    store.getState().seekBy(-100);
    expect(engine.seeks).toEqual([60, 0]);
    expect(status.getState().positionS).toBe(0);
  });

  it('play does nothing on an empty queue; volume unmutes and clamps', () => {
    const store = newStore();
    store.getState().play();
    expect(store.getState().wantsPlay).toBe(false);
    store.getState().toggleMute();
    store.getState().setVolume(1.5);
    expect(store.getState()).toMatchObject({ muted: false, volume: 1 });
  });

  it('removing the current track keeps playing the following one; clearing stops', () => {
    const store = newStore();
    store.getState().playTracks(tracks);
    store.getState().remove(store.getState().currentKey!);
    expect(currentItem(store.getState())?.track.id).toBe('b');
    expect(store.getState().wantsPlay).toBe(true);
    store.getState().clear();
    expect(store.getState().wantsPlay).toBe(false);
  });

  it('engine position updates do not write to storage; saving the position does', () => {
    const storage = memoryStorage();
    const spy = vi.spyOn(storage, 'setItem');
    const status = createStatusStore();
    const store = createPlayerStore({ storage, status, newKey: counterKeys() });
    store.getState().playTracks(tracks);
    const writes = spy.mock.calls.length;
    for (let i = 0; i < 10; i++) status.setState({ positionS: i });
    expect(spy.mock.calls.length).toBe(writes);
    store.getState().savePosition(9);
    expect(spy.mock.calls.length).toBe(writes + 1);
  });
});
