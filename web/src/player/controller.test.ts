// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { startPlayerController, type EnginePort } from './controller';
import type { EngineEvents } from './engine';
import { createPlayerStore, createStatusStore } from './store';
import { counterKeys, track } from './testing';

function fakeEngine() {
  const calls: string[] = [];
  let events: EngineEvents | null = null;
  let position = 0;
  const port: EnginePort = {
    setCurrent: (e, at = 0) => void calls.push(`current:${e?.track.id ?? 'none'}@${at}`),
    setNext: (e) => void calls.push(`next:${e?.track.id ?? 'none'}`),
    play: () => void calls.push('play'),
    pause: () => void calls.push('pause'),
    seek: (s) => void calls.push(`seek:${s}`),
    positionS: () => position,
    setVolume: (g) => void calls.push(`volume:${g}`),
    setNormalize: (on) => void calls.push(`normalize:${on}`),
    setCrossfade: (s) => void calls.push(`crossfade:${s}`),
    setQuality: (q) => void calls.push(`quality:${q}`),
    destroy: () => void calls.push('destroy'),
  };
  return {
    calls,
    port,
    events: () => events!,
    setPosition: (s: number) => (position = s),
    create: (e: EngineEvents) => {
      events = e;
      return port;
    },
  };
}

function setup() {
  const store = createPlayerStore({ storage: localStorage, newKey: counterKeys() });
  const status = createStatusStore();
  const engine = fakeEngine();
  const stop = startPlayerController({ store, status, createEngine: engine.create, mediaSession: null });
  engine.calls.length = 0;
  return { store, status, engine, stop };
}

const tracks = ['a', 'b', 'c'].map((id) => track(id));

describe('player controller', () => {
  it('loads, preloads the next track and plays when the user starts a queue', () => {
    const { store, engine, stop } = setup();
    store.getState().playTracks(tracks, 0);
    expect(engine.calls).toEqual(['current:a@0', 'next:b', 'play']);
    stop();
    expect(engine.calls.at(-1)).toBe('destroy');
  });

  it('follows a hand-over without reloading and preloads the one after', () => {
    const { store, engine } = setup();
    store.getState().playTracks(tracks, 0);
    engine.calls.length = 0;
    engine.events().onHandOver(store.getState().order[1]!);
    // setCurrent with the already-playing entry is a no-op in the engine.
    expect(engine.calls).toEqual(['current:b@0', 'next:c']);
  });

  it('forwards settings as engine gains and values', () => {
    const { store, engine } = setup();
    store.getState().setVolume(0.5);
    store.getState().toggleMute();
    store.getState().setCrossfade(4);
    store.getState().setNormalize(false);
    store.getState().setQuality(128_000);
    expect(engine.calls).toEqual([
      'volume:0.25',
      'volume:0',
      'crossfade:4',
      'normalize:false',
      'quality:128000',
    ]);
  });

  it('does not preload with repeat one, and preloads the first track with repeat all at the end', () => {
    const { store, engine } = setup();
    store.getState().playTracks(tracks, 2);
    engine.calls.length = 0;
    store.getState().cycleRepeat();
    expect(engine.calls).toEqual(['next:a']);
    engine.calls.length = 0;
    store.getState().cycleRepeat();
    expect(engine.calls).toEqual(['next:none']);
  });

  it('syncs an external pause and an error back to the store', () => {
    const { store, status, engine } = setup();
    store.getState().playTracks(tracks, 0);
    engine.events().onExternalPause();
    expect(store.getState().wantsPlay).toBe(false);
    store.getState().play();
    engine.events().onError('stream refused');
    expect(store.getState().wantsPlay).toBe(false);
    expect(status.getState().error).toBe('stream refused');
  });

  it('reports time to the status store and saves the resume position every 5 s', () => {
    const { store, status, engine } = setup();
    store.getState().playTracks(tracks, 0);
    engine.events().onTime(2, 180);
    expect(status.getState()).toMatchObject({ positionS: 2, durationS: 180 });
    expect(store.getState().resumePositionS).toBe(0);
    engine.events().onTime(5.2, 180);
    expect(store.getState().resumePositionS).toBe(5.2);
  });

  it('restores the saved track and position on start without playing', () => {
    const first = setup();
    first.store.getState().playTracks(tracks, 1);
    first.store.getState().savePosition(42);
    first.stop();
    const store = createPlayerStore({ storage: localStorage, newKey: counterKeys('r') });
    const engine = fakeEngine();
    startPlayerController({ store, status: createStatusStore(), createEngine: engine.create, mediaSession: null });
    expect(engine.calls).toContain('current:b@42');
    expect(engine.calls).toContain('next:c');
    expect(engine.calls).not.toContain('play');
  });
});

describe('player controller play events', () => {
  it('reports started, then completed at a hand-over, and starts the next track afresh', async () => {
    const { PlayReporter } = await import('./plays');
    const sent: string[] = [];
    let n = 0;
    const plays = new PlayReporter(
      async (id, e) => void sent.push(`${id}:${e.event}:${e.session_id}:${e.listened_ms ?? '-'}`),
      () => `s${++n}`,
    );
    const store = createPlayerStore({ storage: localStorage, newKey: counterKeys('p') });
    const status = createStatusStore();
    const engine = fakeEngine();
    const stop = startPlayerController({ store, status, createEngine: engine.create, mediaSession: null, plays });
    store.getState().playTracks(tracks, 0);
    const events = engine.events();
    events.onPlaying(true);
    for (let t = 0; t <= 2; t += 0.5) events.onTime(t, 180);
    events.onHandOver(store.getState().order[1]!);
    events.onTime(0, 180);
    events.onTime(0.5, 180);
    events.onPlaying(false);
    expect(sent).toEqual(['a:started:s1:-', 'a:completed:s1:2000', 'b:started:s2:-', 'b:progress:s2:500']);
    stop();
  });
});
