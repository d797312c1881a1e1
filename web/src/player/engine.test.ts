import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AudioEngine, type EngineEnv, type EngineEvents } from './engine';
import type { QueueItem } from './queue';
import { track } from './testing';

const kEndedLatencyMs = 30;

/** Durations of the fake streams, by track id. */
const durations: Record<string, number> = { a: 10, b: 8, c: 30 };

/**
 * An <audio> stand-in whose clock is the (faked) Date.now(): it plays in real time, fires
 * timeupdate every 250 ms and ends at its duration, like a browser's element.
 */
class FakeAudio extends EventTarget {
  paused = true;
  ended = false;
  duration = Number.NaN;
  playbackRate = 1;
  volume = 1;
  preload = 'auto';
  error = null;
  readyState = 0;
  playCalls: number[] = [];
  private base = 0;
  private startedAt = 0;
  private attr: string | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private endTimer: ReturnType<typeof setTimeout> | null = null;

  get currentTime(): number {
    if (this.paused) return this.base;
    const now = this.base + (Date.now() - this.startedAt) / 1000;
    return Number.isFinite(this.duration) ? Math.min(now, this.duration) : now;
  }
  set currentTime(value: number) {
    this.base = value;
    this.startedAt = Date.now();
    this.ended = false;
    if (!this.paused) this.armEnd();
  }
  set src(url: string) {
    this.attr = url;
  }
  getAttribute(name: string) {
    return name === 'src' ? this.attr : null;
  }
  removeAttribute() {
    this.attr = null;
    this.duration = Number.NaN;
    this.readyState = 0;
  }
  canPlayType() {
    return 'maybe';
  }
  load() {
    const id = this.attr?.match(/\/(\w+)\.m3u8$/)?.[1];
    if (!id) return;
    setTimeout(() => {
      this.duration = durations[id] ?? 0;
      this.readyState = 4;
      if (!this.paused) this.armEnd();
      for (const type of ['loadedmetadata', 'durationchange', 'canplay']) this.fire(type);
    }, 20);
  }
  play(): Promise<void> {
    if (this.attr === null) return Promise.reject(new DOMException('no source', 'NotSupportedError'));
    this.playCalls.push(Date.now());
    if (this.paused) {
      this.startedAt = Date.now();
      this.paused = false;
      this.ended = false;
      this.ticker = setInterval(() => this.fire('timeupdate'), 250);
      this.armEnd();
      this.fire('playing');
    }
    return Promise.resolve();
  }
  pause() {
    if (this.paused) return;
    this.base = this.currentTime;
    this.paused = true;
    this.stopTimers();
    this.fire('pause');
  }
  private armEnd() {
    if (this.endTimer) clearTimeout(this.endTimer);
    if (!Number.isFinite(this.duration)) return;
    this.endTimer = setTimeout(() => {
      this.base = this.duration;
      this.paused = true;
      this.ended = true;
      this.stopTimers();
      this.fire('pause');
      this.fire('ended');
      // Browsers report the end some tens of ms late; gapless must not wait for it.
    }, (this.duration - this.currentTime) * 1000 + kEndedLatencyMs);
  }
  private stopTimers() {
    if (this.ticker) clearInterval(this.ticker);
    if (this.endTimer) clearTimeout(this.endTimer);
    this.ticker = null;
    this.endTimer = null;
  }
  private fire(type: string) {
    // Media events are queued tasks in browsers, never synchronous.
    queueMicrotask(() => this.dispatchEvent(new Event(type)));
  }
}

class FakeParam {
  value = 1;
  curves: Array<{ first: number; last: number; at: number; duration: number }> = [];
  setValueCurveAtTime(curve: Float32Array, at: number, duration: number) {
    this.curves.push({ first: curve[0]!, last: curve[curve.length - 1]!, at, duration });
  }
  cancelScheduledValues() {}
}

function fakeContext() {
  const gains: FakeParam[] = [];
  const node = () => ({ connect: () => undefined });
  const context = {
    get currentTime() {
      return Date.now() / 1000;
    },
    destination: {},
    resume: () => Promise.resolve(),
    close: () => Promise.resolve(),
    createGain: () => {
      const gain = new FakeParam();
      gains.push(gain);
      return { gain, connect: () => undefined };
    },
    createMediaElementSource: node,
  };
  return { context: context as unknown as AudioContext, gains };
}

function recorder(): EngineEvents & { log: string[]; ended: number; handOvers: string[] } {
  const log: string[] = [];
  const r = {
    log,
    ended: 0,
    handOvers: [] as string[],
    onTime: () => undefined,
    onPlaying: (p: boolean) => void log.push(p ? 'playing' : 'paused'),
    onExternalPause: () => void log.push('external-pause'),
    onBuffering: () => undefined,
    onEnded: () => void (r.ended += 1),
    onHandOver: (key: string) => void r.handOvers.push(key),
    onLevels: () => undefined,
    onError: (message: string) => void log.push(`error:${message}`),
  };
  return r;
}

function entry(id: string): QueueItem {
  return { key: `key-${id}`, track: track(id, { durationMs: (durations[id] ?? 0) * 1000 }) };
}

function setup(options: { webAudio: boolean }) {
  const audios: FakeAudio[] = [];
  const ctx = fakeContext();
  const env: EngineEnv = {
    createAudio: () => {
      const audio = new FakeAudio();
      audios.push(audio);
      return audio as unknown as HTMLAudioElement;
    },
    createContext: () => (options.webAudio ? ctx.context : null),
    loadHls: () => Promise.reject(new Error('hls.js is not used with native HLS')),
    useNativeHls: () => true,
  };
  const events = recorder();
  const engine = new AudioEngine(env, events, async (id) => `https://media.test/${id}.m3u8`);
  return { engine, events, audios, gains: ctx.gains };
}

/** Time at which an audio element reached its end: when its duration elapsed since play. */
function playing(audios: FakeAudio[], id: string) {
  return audios.find((a) => a.getAttribute('src')?.endsWith(`/${id}.m3u8`));
}

describe('AudioEngine', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'queueMicrotask'] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('starts the preloaded next track at the exact end of the current one (gapless)', async () => {
    const { engine, events, audios } = setup({ webAudio: true });
    engine.setCurrent(entry('a'));
    engine.setNext(entry('b'));
    engine.play();
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(50);
    const a = playing(audios, 'a')!;
    const b = playing(audios, 'b')!;
    expect(a.paused).toBe(false);
    expect(b.paused).toBe(true);

    await vi.advanceTimersByTimeAsync(10_500);
    expect(events.handOvers).toEqual(['key-b']);
    expect(b.playCalls).toHaveLength(1);
    // a was started ~50 ms after `start` (load time) and lasts 10 s.
    const aEnd = a.playCalls[0]! + 10_000;
    expect(Math.abs(b.playCalls[0]! - aEnd)).toBeLessThanOrEqual(5);
    expect(start).toBeLessThan(aEnd);
    // The hand-over is not reported as an end of queue.
    expect(events.ended).toBe(0);
    engine.destroy();
  });

  it('starts the next track early by the crossfade window with equal-power curves', async () => {
    const { engine, events, audios, gains } = setup({ webAudio: true });
    engine.setCrossfade(3);
    engine.setCurrent(entry('a'));
    engine.setNext(entry('c'));
    engine.play();
    await vi.advanceTimersByTimeAsync(50);
    const a = playing(audios, 'a')!;
    await vi.advanceTimersByTimeAsync(8_000);
    const c = playing(audios, 'c')!;
    expect(c.playCalls).toHaveLength(1);
    const aEnd = a.playCalls[0]! + 10_000;
    expect(Math.abs(c.playCalls[0]! - (aEnd - 3_000))).toBeLessThanOrEqual(5);
    const curves = gains.flatMap((g) => g.curves);
    expect(curves).toHaveLength(2);
    const fadeIn = curves.find((c) => c.first === 0)!;
    const fadeOut = curves.find((c) => c.first === 1)!;
    expect(fadeIn.last).toBeCloseTo(1, 6);
    expect(fadeOut.last).toBeCloseTo(0, 6);
    expect(fadeIn.duration).toBe(3);
    expect(events.handOvers).toEqual(['key-c']);
    engine.destroy();
  });

  it('loads the following track on the freed deck once the outgoing one has ended', async () => {
    const { engine, events, audios } = setup({ webAudio: true });
    engine.setCurrent(entry('a'));
    engine.setNext(entry('b'));
    engine.play();
    await vi.advanceTimersByTimeAsync(10_100);
    expect(events.handOvers).toEqual(['key-b']);
    // As the controller does after a hand-over: b is current, c is next.
    engine.setCurrent(entry('b'));
    engine.setNext(entry('c'));
    await vi.advanceTimersByTimeAsync(600);
    expect(playing(audios, 'c')?.paused).toBe(true);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(events.handOvers).toEqual(['key-b', 'key-c']);
    engine.destroy();
  });

  it('preloads the next track only once the current one can play', async () => {
    const { engine, audios } = setup({ webAudio: true });
    engine.setCurrent(entry('a'));
    engine.setNext(entry('b'));
    await vi.advanceTimersByTimeAsync(5);
    expect(playing(audios, 'b')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(30);
    expect(playing(audios, 'b')).toBeDefined();
    engine.destroy();
  });

  it('reports the end when nothing is preloaded', async () => {
    const { engine, events } = setup({ webAudio: false });
    engine.setCurrent(entry('b'));
    engine.play();
    await vi.advanceTimersByTimeAsync(8_200);
    expect(events.ended).toBe(1);
    expect(events.handOvers).toEqual([]);
    expect(events.log).not.toContain('external-pause');
    engine.destroy();
  });

  it('plays gaplessly without Web Audio too, and never crossfades there', async () => {
    const { engine, events, audios } = setup({ webAudio: false });
    engine.setCrossfade(5);
    engine.setCurrent(entry('a'));
    engine.setNext(entry('b'));
    engine.play();
    await vi.advanceTimersByTimeAsync(10_200);
    const a = playing(audios, 'a');
    const b = playing(audios, 'b')!;
    expect(events.handOvers).toEqual(['key-b']);
    expect(b.playCalls[0]! - (a?.playCalls[0] ?? 0)).toBeGreaterThanOrEqual(0);
    engine.destroy();
  });

  it('jumps to a preloaded track at once when it becomes current', async () => {
    const { engine, audios } = setup({ webAudio: true });
    engine.setCurrent(entry('a'));
    engine.setNext(entry('c'));
    engine.play();
    await vi.advanceTimersByTimeAsync(1_000);
    const c = playing(audios, 'c')!;
    engine.setCurrent(entry('c'));
    expect(c.playCalls).toHaveLength(1);
    expect(playing(audios, 'a')).toBeUndefined();
    engine.destroy();
  });

  it('tells apart its own pauses from external ones', async () => {
    const { engine, events, audios } = setup({ webAudio: true });
    engine.setCurrent(entry('c'));
    engine.play();
    await vi.advanceTimersByTimeAsync(500);
    engine.pause();
    await vi.advanceTimersByTimeAsync(10);
    expect(events.log).not.toContain('external-pause');
    engine.play();
    await vi.advanceTimersByTimeAsync(500);
    playing(audios, 'c')!.pause();
    await vi.advanceTimersByTimeAsync(10);
    expect(events.log).toContain('external-pause');
    engine.destroy();
  });

  it('resumes a restored track at the saved position without playing', async () => {
    const { engine, audios } = setup({ webAudio: true });
    engine.setCurrent(entry('c'), 12.5);
    await vi.advanceTimersByTimeAsync(100);
    const c = playing(audios, 'c')!;
    expect(c.currentTime).toBe(12.5);
    expect(c.paused).toBe(true);
    expect(engine.positionS()).toBe(12.5);
    engine.destroy();
  });

  it('seeking clamps to the duration', async () => {
    const { engine } = setup({ webAudio: true });
    engine.setCurrent(entry('b'));
    await vi.advanceTimersByTimeAsync(100);
    engine.seek(99);
    expect(engine.positionS()).toBe(8);
    engine.destroy();
  });
});
