import type HlsType from 'hls.js';
import type { ErrorData, Level, LevelSwitchedData, ManifestParsedData } from 'hls.js';
import {
  clampCrossfade,
  crossfadeWindowS,
  fadeCurve,
  msUntilTransition,
  normalizationGain,
} from './gain';
import type { QueueItem } from './queue';
import { levelForQuality, prefersNativeHls } from './quality';
import { recordTelemetry, type TelemetryEvent } from './telemetry';
import type { Quality, Rendition } from './types';

type HlsClass = typeof HlsType;

/** What the engine reports; the controller forwards it to the stores. */
export interface EngineEvents {
  onTime(positionS: number, durationS: number): void;
  onPlaying(playing: boolean): void;
  /** The browser or the OS paused playback (audio focus lost, device unplugged). */
  onExternalPause(): void;
  onBuffering(buffering: boolean): void;
  /** The current track ended and nothing was preloaded to take over. */
  onEnded(): void;
  /** The preloaded track took over (gapless or crossfade). */
  onHandOver(key: string): void;
  onLevels(levels: Rendition[], current: number, native: boolean): void;
  onError(message: string): void;
}

/** Returns a fresh, signed master playlist URL for a track. */
export type StreamResolver = (trackId: string, signal: AbortSignal) => Promise<string>;

/** Browser facilities, injectable so the scheduling logic can be tested with fakes. */
export interface EngineEnv {
  createAudio(): HTMLAudioElement;
  createContext(): AudioContext | null;
  loadHls(): Promise<HlsClass>;
  useNativeHls(audio: HTMLAudioElement): boolean;
  /** Receives deck events for measurement (see telemetry.ts). */
  telemetry?(event: TelemetryEvent): void;
}

export const browserEnv: EngineEnv = {
  createAudio: () => {
    const audio = document.createElement('audio');
    audio.preload = 'auto';
    return audio;
  },
  createContext: () => {
    const Ctor = globalThis.AudioContext as typeof AudioContext | undefined;
    return Ctor ? new Ctor({ latencyHint: 'playback' }) : null;
  },
  // Loaded on first play only, so the home page does not pay for it.
  loadHls: () => import('hls.js').then((module) => module.default),
  useNativeHls: (audio) =>
    prefersNativeHls(audio.canPlayType('application/vnd.apple.mpegurl'), 'userAgentData' in navigator),
  telemetry: recordTelemetry,
};

/** Hand-overs closer than this are timed with setTimeout; further ones wait for timeupdate. */
const kScheduleHorizonMs = 1500;
/** A timer that fires earlier than this before the hand-over point is re-armed. */
const kTimerSlackMs = 4;
/** Seconds of audio hls.js keeps ahead: generous while playing, enough to start when preloading. */
const kPlayingBufferS = 60;
const kPreloadBufferS = 12;
/** HTMLMediaElement.HAVE_FUTURE_DATA: enough is buffered to start playing. */
const kHaveFutureData = 3;

interface Deck {
  readonly audio: HTMLAudioElement;
  entry: QueueItem | null;
  hls: HlsType | null;
  levels: Rendition[];
  currentLevel: number;
  native: boolean;
  norm: GainNode | null;
  fade: GainNode | null;
  /** Bumped on every load so late async results of an older load are dropped. */
  loadId: number;
  abort: AbortController | null;
  /** The outgoing deck still sounding after a hand-over. */
  draining: boolean;
  /** Pauses the engine asked for, so their 'pause' events are not taken for external ones. */
  selfPauses: number;
  /** A source is attached: play() may be called. */
  attached: boolean;
  report: (type: TelemetryEvent['type'], level?: number) => void;
}

function toRendition(level: Level, index: number): Rendition {
  return { index, bitrate: level.bitrate, codec: level.audioCodec ?? null };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Plays HLS on two alternating <audio> elements. The idle one preloads the next track and starts
 * exactly when the current one ends (gapless), or `crossfade` seconds earlier with equal-power
 * fades through Web Audio gain nodes. Each deck: element → source → normalisation gain → fade
 * gain → master (volume) → output.
 */
export class AudioEngine {
  private readonly env: EngineEnv;
  private readonly events: EngineEvents;
  private readonly resolve: StreamResolver;
  private active: Deck;
  private standby: Deck;
  private context: AudioContext | null = null;
  private master: GainNode | null = null;
  private graphTried = false;
  private wantsPlay = false;
  private volumeGain = 1;
  private normalize = true;
  private crossfadeS = 0;
  private quality: Quality = 'auto';
  private transitionTimer: ReturnType<typeof setTimeout> | null = null;
  private drainTimer: ReturnType<typeof setTimeout> | null = null;
  /** Next track asked for while the outgoing deck drains or the current one is still loading. */
  private pendingNext: QueueItem | null | undefined = undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(env: EngineEnv, events: EngineEvents, resolve: StreamResolver) {
    this.env = env;
    this.events = events;
    this.resolve = resolve;
    this.active = this.createDeck();
    this.standby = this.createDeck();
  }

  /** Makes `entry` the playing track. A preloaded entry starts at once; others load first. */
  setCurrent(entry: QueueItem | null, startAtS = 0): void {
    if (entry === null) {
      this.clearTransition();
      this.finishDrain();
      this.resetDeck(this.active);
      this.resetDeck(this.standby);
      this.events.onTime(0, 0);
      this.events.onPlaying(false);
      return;
    }
    if (this.active.entry?.key === entry.key) return;
    this.clearTransition();
    this.finishDrain();
    if (this.standby.entry?.key === entry.key) {
      const previous = this.active;
      this.active = this.standby;
      this.standby = previous;
      this.resetDeck(previous);
      this.setFade(this.active, 1);
      this.setBufferAhead(this.active, kPlayingBufferS);
      if (startAtS > 0) this.active.audio.currentTime = startAtS;
    } else {
      this.resetDeck(this.active);
      this.resetDeck(this.standby);
      void this.loadDeck(this.active, entry, startAtS);
    }
    this.emitLevels();
    this.emitTime();
    if (this.wantsPlay) this.playActive();
  }

  /** Preloads the track that follows, or forgets it with null. */
  setNext(entry: QueueItem | null): void {
    // Preloading waits until the current track can play, so the two do not compete at start.
    const currentLoading = this.active.entry !== null && this.active.audio.readyState < kHaveFutureData;
    if (this.standby.draining || (entry !== null && currentLoading)) {
      this.pendingNext = entry;
      return;
    }
    this.pendingNext = undefined;
    if (entry !== null && entry.key === this.active.entry?.key) entry = null;
    if (this.standby.entry?.key === entry?.key) return;
    this.resetDeck(this.standby);
    if (entry !== null) void this.loadDeck(this.standby, entry, 0);
    this.schedule();
  }

  play(): void {
    this.wantsPlay = true;
    this.ensureGraph();
    void this.context?.resume().catch(() => undefined);
    this.playActive();
  }

  pause(): void {
    this.wantsPlay = false;
    this.clearTransition();
    this.finishDrain();
    this.pauseDeck(this.active);
    this.events.onPlaying(false);
  }

  seek(positionS: number): void {
    this.finishDrain();
    const audio = this.active.audio;
    const duration = this.durationOf(this.active);
    audio.currentTime = Number.isFinite(duration) ? Math.min(positionS, duration) : positionS;
    if (this.wantsPlay && audio.paused) this.playActive();
    this.emitTime();
    this.schedule();
  }

  positionS(): number {
    return this.active.audio.currentTime || 0;
  }

  /** Linear master gain (already shaped by the volume curve). */
  setVolume(gain: number): void {
    this.volumeGain = gain;
    if (this.master) this.master.gain.value = gain;
    else for (const deck of [this.active, this.standby]) this.applyDeckGain(deck);
  }

  setNormalize(on: boolean): void {
    this.normalize = on;
    this.applyDeckGain(this.active);
    this.applyDeckGain(this.standby);
  }

  setCrossfade(seconds: number): void {
    this.crossfadeS = clampCrossfade(seconds);
    this.schedule();
  }

  setQuality(quality: Quality): void {
    this.quality = quality;
    for (const deck of [this.active, this.standby]) {
      // nextLevel switches at the next segment without interrupting what is playing.
      if (deck.hls) deck.hls.nextLevel = levelForQuality(deck.levels, quality);
    }
  }

  destroy(): void {
    this.clearTransition();
    if (this.drainTimer) clearTimeout(this.drainTimer);
    for (const cleanup of this.cleanups) cleanup();
    this.resetDeck(this.active);
    this.resetDeck(this.standby);
    void this.context?.close().catch(() => undefined);
  }

  private createDeck(): Deck {
    const deck: Deck = {
      audio: this.env.createAudio(),
      entry: null,
      hls: null,
      levels: [],
      currentLevel: -1,
      native: false,
      norm: null,
      fade: null,
      loadId: 0,
      abort: null,
      draining: false,
      selfPauses: 0,
      attached: false,
      report: () => undefined,
    };
    const on = (type: string, handler: () => void) => {
      deck.audio.addEventListener(type, handler);
      this.cleanups.push(() => deck.audio.removeEventListener(type, handler));
    };
    const ifActive = (handler: () => void) => () => {
      if (deck === this.active) handler();
    };
    on('timeupdate', ifActive(() => {
      this.emitTime();
      this.schedule();
    }));
    on('durationchange', ifActive(() => this.emitTime()));
    const report = (type: TelemetryEvent['type'], level?: number) => {
      if (!this.env.telemetry || !deck.entry) return;
      const duration = this.durationOf(deck);
      this.env.telemetry({
        type,
        trackId: deck.entry.track.id,
        atMs: performance.now(),
        positionS: deck.audio.currentTime,
        durationS: Number.isFinite(duration) ? duration : 0,
        level,
      });
    };
    deck.report = report;
    on('playing', () => report('playing'));
    on('ended', () => report('ended'));
    on('playing', ifActive(() => {
      this.events.onBuffering(false);
      this.events.onPlaying(true);
      this.schedule();
    }));
    on('pause', () => {
      if (deck.selfPauses > 0) {
        deck.selfPauses -= 1;
        return;
      }
      if (deck !== this.active || deck.audio.ended) return;
      if (this.wantsPlay) {
        this.wantsPlay = false;
        this.clearTransition();
        this.events.onExternalPause();
      }
      this.events.onPlaying(false);
    });
    on('waiting', ifActive(() => this.events.onBuffering(true)));
    on('canplay', () => {
      if (deck !== this.active) {
        this.schedule();
        return;
      }
      this.events.onBuffering(false);
      if (!this.standby.draining && this.pendingNext !== undefined) {
        const pending = this.pendingNext;
        this.pendingNext = undefined;
        this.setNext(pending);
      }
    });
    on('ended', () => {
      if (deck === this.active) this.onActiveEnded();
      else if (deck.draining) this.finishDrain();
    });
    on('error', ifActive(() => {
      if (!deck.hls && deck.audio.error) this.events.onError(deck.audio.error.message || 'Playback failed.');
    }));
    return deck;
  }

  /** Web Audio needs a user gesture, so the graph is built on the first play(). */
  private ensureGraph(): void {
    if (this.graphTried) return;
    this.graphTried = true;
    let context: AudioContext | null = null;
    try {
      context = this.env.createContext();
    } catch {
      context = null;
    }
    if (!context) return;
    this.context = context;
    this.master = context.createGain();
    this.master.gain.value = this.volumeGain;
    this.master.connect(context.destination);
    for (const deck of [this.active, this.standby]) {
      const source = context.createMediaElementSource(deck.audio);
      deck.norm = context.createGain();
      deck.fade = context.createGain();
      source.connect(deck.norm);
      deck.norm.connect(deck.fade);
      deck.fade.connect(this.master);
      deck.audio.volume = 1;
      this.applyDeckGain(deck);
    }
    this.setFade(this.standby, 1);
  }

  private deckNormGain(deck: Deck): number {
    const track = deck.entry?.track;
    return track ? normalizationGain(track.replayGainDb, track.truePeakDbtp, this.normalize) : 1;
  }

  private applyDeckGain(deck: Deck): void {
    const gain = this.deckNormGain(deck);
    if (deck.norm) deck.norm.gain.value = gain;
    // Without Web Audio the element volume carries both gains (it cannot boost past 1).
    else deck.audio.volume = Math.min(1, gain * this.volumeGain);
  }

  private setFade(deck: Deck, value: number): void {
    if (!deck.fade || !this.context) return;
    deck.fade.gain.cancelScheduledValues(this.context.currentTime);
    deck.fade.gain.value = value;
  }

  private playActive(): void {
    const audio = this.active.audio;
    // An unattached deck starts when its load completes (see loadDeck).
    if (!this.active.entry || !this.active.attached) return;
    audio.play().catch((error: unknown) => {
      // A load that replaced this one aborts the pending play(); that is not a failure.
      if (error instanceof DOMException && error.name === 'AbortError') return;
      if (error instanceof DOMException && error.name === 'NotAllowedError') {
        this.wantsPlay = false;
        this.events.onPlaying(false);
        return;
      }
      this.events.onError(errorMessage(error));
    });
  }

  private async loadDeck(deck: Deck, entry: QueueItem, startAtS: number): Promise<void> {
    deck.entry = entry;
    const loadId = ++deck.loadId;
    const abort = new AbortController();
    deck.abort = abort;
    this.applyDeckGain(deck);
    if (deck === this.active) this.events.onBuffering(true);
    try {
      const url = await this.resolve(entry.track.id, abort.signal);
      if (loadId !== deck.loadId) return;
      if (this.env.useNativeHls(deck.audio)) {
        deck.native = true;
        this.attachNative(deck, url, startAtS);
      } else {
        const Hls = await this.env.loadHls();
        if (loadId !== deck.loadId) return;
        if (!Hls.isSupported()) throw new Error('This browser cannot play HLS audio.');
        this.attachHls(deck, Hls, url, startAtS, loadId);
      }
      deck.attached = true;
      if (deck === this.active) {
        this.emitLevels();
        if (this.wantsPlay) this.playActive();
      }
    } catch (error) {
      if (loadId !== deck.loadId || abort.signal.aborted) return;
      if (deck === this.active) {
        this.events.onBuffering(false);
        this.events.onError(errorMessage(error));
      } else {
        // A next track that cannot load is skipped by the ordinary end-of-track path.
        this.resetDeck(deck);
      }
    }
  }

  private attachNative(deck: Deck, url: string, startAtS: number): void {
    const audio = deck.audio;
    if (startAtS > 0) {
      const seekOnce = () => {
        audio.removeEventListener('loadedmetadata', seekOnce);
        audio.currentTime = startAtS;
      };
      audio.addEventListener('loadedmetadata', seekOnce);
    }
    audio.src = url;
    audio.load();
  }

  private attachHls(deck: Deck, Hls: HlsClass, url: string, startAtS: number, loadId: number) {
    const hls = new Hls({
      startPosition: startAtS > 0 ? startAtS : -1,
      maxBufferLength: deck === this.active ? kPlayingBufferS : kPreloadBufferS,
    });
    deck.hls = hls;
    deck.levels = [];
    deck.currentLevel = -1;
    let reloads = 0;
    hls.on(Hls.Events.MANIFEST_PARSED, (_event, data: ManifestParsedData) => {
      deck.levels = data.levels.map(toRendition);
      const level = levelForQuality(deck.levels, this.quality);
      if (level !== -1) hls.currentLevel = level;
      if (deck === this.active) this.emitLevels();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data: LevelSwitchedData) => {
      deck.currentLevel = data.level;
      deck.report('level', data.level);
      if (deck === this.active) this.emitLevels();
    });
    hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
      if (!data.fatal || loadId !== deck.loadId || !deck.entry) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else if (data.type === Hls.ErrorTypes.NETWORK_ERROR && reloads < 3) {
        // Stream tokens are short-lived: a refused segment usually means a fresh URL is needed.
        reloads += 1;
        const entry = deck.entry;
        const position = deck.audio.currentTime;
        void this.resolve(entry.track.id, new AbortController().signal)
          .then((fresh) => {
            if (loadId !== deck.loadId) return;
            hls.loadSource(fresh);
            hls.startLoad(position);
          })
          .catch((error: unknown) => this.events.onError(errorMessage(error)));
      } else if (deck === this.active) {
        this.events.onError(data.error?.message ?? data.details);
      }
    });
    hls.attachMedia(deck.audio);
    hls.loadSource(url);
  }

  private resetDeck(deck: Deck): void {
    deck.loadId += 1;
    deck.abort?.abort();
    deck.abort = null;
    deck.hls?.destroy();
    deck.hls = null;
    deck.levels = [];
    deck.currentLevel = -1;
    deck.native = false;
    deck.attached = false;
    deck.entry = null;
    deck.draining = false;
    this.pauseDeck(deck);
    if (deck.audio.getAttribute('src') !== null) {
      deck.audio.removeAttribute('src');
      deck.audio.load();
    }
  }

  private setBufferAhead(deck: Deck, seconds: number): void {
    // hls.js reads its config on every buffering tick, so this applies at once.
    if (deck.hls) deck.hls.config.maxBufferLength = seconds;
  }

  private pauseDeck(deck: Deck): void {
    if (deck.audio.paused) return;
    deck.selfPauses += 1;
    deck.audio.pause();
  }

  private durationOf(deck: Deck): number {
    const duration = deck.audio.duration;
    if (Number.isFinite(duration) && duration > 0) return duration;
    const ms = deck.entry?.track.durationMs;
    return ms ? ms / 1000 : Number.NaN;
  }

  private windowFor(current: Deck, next: Deck): number {
    // Fades need Web Audio; without it tracks still follow each other gaplessly.
    if (!this.context) return 0;
    const nextDuration = this.durationOf(next);
    return crossfadeWindowS(
      this.crossfadeS,
      this.durationOf(current),
      Number.isFinite(nextDuration) ? nextDuration : null,
    );
  }

  private clearTransition(): void {
    if (this.transitionTimer) clearTimeout(this.transitionTimer);
    this.transitionTimer = null;
  }

  /** Arms the hand-over timer once the end of the current track is near. */
  private schedule(): void {
    this.clearTransition();
    const current = this.active;
    const next = this.standby;
    if (!this.wantsPlay || current.audio.paused || !next.entry || next.draining) return;
    const duration = this.durationOf(current);
    if (!Number.isFinite(duration)) return;
    const ms = this.msUntilHandOver();
    if (!Number.isFinite(ms) || ms > kScheduleHorizonMs) return;
    this.transitionTimer = setTimeout(() => this.onTransitionTimer(), Math.max(0, ms));
  }

  private msUntilHandOver(): number {
    const audio = this.active.audio;
    return msUntilTransition(
      this.durationOf(this.active),
      audio.currentTime,
      this.windowFor(this.active, this.standby),
      audio.playbackRate,
    );
  }

  private onTransitionTimer(): void {
    this.transitionTimer = null;
    const ms = this.msUntilHandOver();
    if (!Number.isFinite(ms)) return;
    // Timers may fire early; re-arm for the rest rather than cutting the track short.
    if (ms > kTimerSlackMs) {
      this.transitionTimer = setTimeout(() => this.onTransitionTimer(), ms);
      return;
    }
    this.handOver();
  }

  private onActiveEnded(): void {
    this.clearTransition();
    // The timer can lose to the end of the track (throttled tab): hand over now.
    if (this.wantsPlay && this.standby.entry && !this.standby.draining) this.handOver();
    else this.events.onEnded();
  }

  private handOver(): void {
    const outgoing = this.active;
    const incoming = this.standby;
    if (!incoming.entry) return;
    const windowS = this.windowFor(outgoing, incoming);
    this.active = incoming;
    this.standby = outgoing;
    outgoing.draining = true;
    this.setBufferAhead(incoming, kPlayingBufferS);
    if (this.context && incoming.fade && outgoing.fade && windowS > 0) {
      const now = this.context.currentTime;
      incoming.fade.gain.cancelScheduledValues(now);
      outgoing.fade.gain.cancelScheduledValues(now);
      incoming.fade.gain.setValueCurveAtTime(fadeCurve('in'), now, windowS);
      outgoing.fade.gain.setValueCurveAtTime(fadeCurve('out'), now, windowS);
    } else {
      this.setFade(incoming, 1);
    }
    this.playActive();
    outgoing.report('handover');
    this.events.onHandOver(incoming.entry.key);
    this.emitLevels();
    this.emitTime();
    // The outgoing deck normally ends by itself; this bounds it if 'ended' never comes.
    const remainingS = this.durationOf(outgoing) - outgoing.audio.currentTime;
    const drainMs = (Math.max(windowS, Number.isFinite(remainingS) ? remainingS : 0) + 0.5) * 1000;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = setTimeout(() => this.finishDrain(), drainMs);
  }

  /** Silences the outgoing deck and loads the next track on it if one was asked for meanwhile. */
  private finishDrain(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    const deck = this.standby;
    if (!deck.draining) return;
    this.resetDeck(deck);
    this.setFade(deck, 1);
    this.setFade(this.active, 1);
    const pending = this.pendingNext;
    this.pendingNext = undefined;
    if (pending !== undefined) this.setNext(pending);
  }

  private emitTime(): void {
    const duration = this.durationOf(this.active);
    this.events.onTime(this.positionS(), Number.isFinite(duration) ? duration : 0);
  }

  private emitLevels(): void {
    const deck = this.active;
    this.events.onLevels(deck.levels, deck.currentLevel, deck.native);
  }
}
