import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { clampCrossfade } from './gain';
import {
  addToQueue,
  clearQueue,
  emptyQueue,
  jumpTo,
  moveAfterCurrent,
  moveInQueue,
  nextKey,
  playNext,
  previousKey,
  previousRestartsTrack,
  removeFromQueue,
  replaceQueue,
  setShuffle,
  type KeyFactory,
  type QueueState,
  type Random,
  type RepeatMode,
} from './queue';
import type { PlayerTrack, Quality, Rendition } from './types';

export interface PlayerSettings {
  volume: number;
  muted: boolean;
  repeat: RepeatMode;
  crossfadeS: number;
  normalize: boolean;
  quality: Quality;
}

export const defaultSettings: PlayerSettings = {
  volume: 0.8,
  muted: false,
  repeat: 'off',
  crossfadeS: 0,
  normalize: true,
  quality: 'auto',
};

/** What the UI may ask of the audio engine directly (the rest flows through state). */
export interface EngineCommands {
  seek(positionS: number): void;
  positionS(): number;
}

/** Facts reported by the engine; never persisted. */
export interface PlaybackStatus {
  isPlaying: boolean;
  buffering: boolean;
  positionS: number;
  durationS: number;
  levels: Rendition[];
  currentLevel: number;
  nativeHls: boolean;
  error: string | null;
}

export const initialStatus: PlaybackStatus = {
  isPlaying: false,
  buffering: false,
  positionS: 0,
  durationS: 0,
  levels: [],
  currentLevel: -1,
  nativeHls: false,
  error: null,
};

export interface PlayerActions {
  /** Replaces the queue and plays `startIndex` from `startAtS` seconds. */
  playTracks(tracks: readonly PlayerTrack[], startIndex?: number, startAtS?: number): void;
  addToQueue(tracks: readonly PlayerTrack[]): void;
  playNext(tracks: readonly PlayerTrack[]): void;
  remove(key: string): void;
  move(from: number, to: number): void;
  /** Moves the queued entry at play-order position `from` right after the current one. */
  moveAfterCurrent(from: number): void;
  clear(): void;
  jumpTo(key: string): void;
  next(): void;
  previous(): void;
  /** The current track ended by itself. */
  trackEnded(): void;
  /** The engine already started `key` (gapless or crossfade hand-over). */
  handedOver(key: string): void;
  play(): void;
  pause(): void;
  togglePlay(): void;
  seek(positionS: number): void;
  seekBy(deltaS: number): void;
  setVolume(volume: number): void;
  toggleMute(): void;
  toggleShuffle(): void;
  cycleRepeat(): void;
  setCrossfade(seconds: number): void;
  setNormalize(on: boolean): void;
  setQuality(quality: Quality): void;
  /** Remembers where to resume after a reload. */
  savePosition(positionS: number): void;
  attachEngine(commands: EngineCommands | null): void;
}

export interface PlayerState extends QueueState, PlayerSettings, PlayerActions {
  /** Intent: the user wants sound. `status.isPlaying` is what the engine reports. */
  wantsPlay: boolean;
  resumePositionS: number;
  engine: EngineCommands | null;
}

export type StatusStore = UseBoundStore<StoreApi<PlaybackStatus>>;

/** Engine facts change several times a second, so they live apart from the persisted store. */
export function createStatusStore(): StatusStore {
  return create<PlaybackStatus>()(() => initialStatus);
}

type Persisted = QueueState & PlayerSettings & { resumePositionS: number };

export const kPlayerStorageKey = 'veza.player';
const kRepeatCycle: Record<RepeatMode, RepeatMode> = { off: 'all', all: 'one', one: 'off' };

function defaultKeyFactory(): KeyFactory {
  let n = 0;
  const session = Math.random().toString(36).slice(2, 8);
  return () => `${Date.now().toString(36)}-${session}-${++n}`;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1) : 0;
}

/** Keeps only well-formed persisted fields so a corrupt or old entry cannot break the player. */
export function sanitizePersisted(value: unknown): Partial<Persisted> {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: Partial<Persisted> = {};
  if (Array.isArray(v.items) && Array.isArray(v.order)) {
    const items = v.items.filter(
      (i): i is QueueState['items'][number] =>
        typeof i === 'object' &&
        i !== null &&
        typeof (i as { key?: unknown }).key === 'string' &&
        typeof (i as { track?: { id?: unknown } }).track?.id === 'string',
    );
    const keys = new Set(items.map((i) => i.key));
    const order = v.order.filter((k): k is string => typeof k === 'string' && keys.has(k));
    if (order.length === items.length) {
      out.items = items;
      out.order = order;
      out.currentKey =
        typeof v.currentKey === 'string' && keys.has(v.currentKey) ? v.currentKey : (order[0] ?? null);
    }
  }
  if (typeof v.shuffle === 'boolean') out.shuffle = v.shuffle;
  if (typeof v.volume === 'number') out.volume = clamp01(v.volume);
  if (typeof v.muted === 'boolean') out.muted = v.muted;
  if (v.repeat === 'off' || v.repeat === 'all' || v.repeat === 'one') out.repeat = v.repeat;
  if (typeof v.crossfadeS === 'number') out.crossfadeS = clampCrossfade(v.crossfadeS);
  if (typeof v.normalize === 'boolean') out.normalize = v.normalize;
  if (v.quality === 'auto' || (typeof v.quality === 'number' && v.quality > 0)) {
    out.quality = v.quality;
  }
  if (typeof v.resumePositionS === 'number' && v.resumePositionS >= 0) {
    out.resumePositionS = v.resumePositionS;
  }
  return out;
}

export interface PlayerStoreDeps {
  storage?: StateStorage;
  status?: StatusStore;
  random?: Random;
  newKey?: KeyFactory;
}

export type PlayerStore = UseBoundStore<StoreApi<PlayerState>>;

export function createPlayerStore(deps: PlayerStoreDeps = {}): PlayerStore {
  const random = deps.random ?? Math.random;
  const newKey = deps.newKey ?? defaultKeyFactory();
  const status = deps.status ?? createStatusStore();
  const storage = createJSONStorage<Persisted>(() => deps.storage ?? localStorage);

  return create<PlayerState>()(
    persist(
      (set, get) => {
        const queueOf = (s: PlayerState): QueueState => ({
          items: s.items,
          order: s.order,
          currentKey: s.currentKey,
          shuffle: s.shuffle,
        });
        const restart = () => {
          get().engine?.seek(0);
          set({ resumePositionS: 0 });
        };
        const goTo = (key: string, wantsPlay: boolean) =>
          set((s) => ({ ...jumpTo(queueOf(s), key), resumePositionS: 0, wantsPlay }));

        return {
          ...emptyQueue,
          ...defaultSettings,
          wantsPlay: false,
          resumePositionS: 0,
          engine: null,

          playTracks: (tracks, startIndex = 0, startAtS = 0) =>
            set((s) => ({
              ...replaceQueue(queueOf(s), tracks, startIndex, newKey, random),
              resumePositionS: Math.max(0, startAtS),
              wantsPlay: tracks.length > 0,
            })),
          addToQueue: (tracks) => set((s) => addToQueue(queueOf(s), tracks, newKey)),
          playNext: (tracks) => set((s) => playNext(queueOf(s), tracks, newKey)),
          remove: (key) =>
            set((s) => {
              const q = removeFromQueue(queueOf(s), key);
              const changed = q.currentKey !== s.currentKey;
              return {
                ...q,
                resumePositionS: changed ? 0 : s.resumePositionS,
                wantsPlay: q.currentKey !== null && s.wantsPlay,
              };
            }),
          move: (from, to) => set((s) => moveInQueue(queueOf(s), from, to)),
          moveAfterCurrent: (from) => set((s) => moveAfterCurrent(queueOf(s), from)),
          clear: () => set((s) => ({ ...clearQueue(queueOf(s)), wantsPlay: false, resumePositionS: 0 })),
          jumpTo: (key) => goTo(key, true),
          next: () => {
            const key = nextKey(queueOf(get()), get().repeat, false);
            if (key !== null) goTo(key, get().wantsPlay);
          },
          previous: () => {
            const s = get();
            const position = s.engine?.positionS() ?? status.getState().positionS;
            const key = previousKey(queueOf(s), s.repeat);
            if (key === null || previousRestartsTrack(position)) restart();
            else goTo(key, s.wantsPlay);
          },
          trackEnded: () => {
            const s = get();
            const key = nextKey(queueOf(s), s.repeat, true);
            if (key === null) {
              // End of the queue: stop, ready to play the last track again from its start.
              set({ wantsPlay: false });
              restart();
            } else if (key === s.currentKey) {
              restart();
            } else {
              goTo(key, true);
            }
          },
          handedOver: (key) => set({ currentKey: key, resumePositionS: 0 }),
          play: () => set((s) => ({ wantsPlay: s.currentKey !== null })),
          pause: () => set({ wantsPlay: false }),
          togglePlay: () => set((s) => ({ wantsPlay: !s.wantsPlay && s.currentKey !== null })),
          seek: (positionS) => {
            const target = Math.max(0, positionS);
            get().engine?.seek(target);
            status.setState({ positionS: target });
            set({ resumePositionS: target });
          },
          seekBy: (deltaS) => {
            const s = get();
            const position = s.engine?.positionS() ?? status.getState().positionS;
            const duration = status.getState().durationS;
            const target = position + deltaS;
            s.seek(duration > 0 ? Math.min(target, duration) : target);
          },
          setVolume: (volume) => set({ volume: clamp01(volume), muted: false }),
          toggleMute: () => set((s) => ({ muted: !s.muted })),
          toggleShuffle: () => set((s) => setShuffle(queueOf(s), !s.shuffle, random)),
          cycleRepeat: () => set((s) => ({ repeat: kRepeatCycle[s.repeat] })),
          setCrossfade: (seconds) => set({ crossfadeS: clampCrossfade(seconds) }),
          setNormalize: (normalize) => set({ normalize }),
          setQuality: (quality) => set({ quality }),
          savePosition: (positionS) => set({ resumePositionS: Math.max(0, positionS) }),
          attachEngine: (engine) => set({ engine }),
        };
      },
      {
        name: kPlayerStorageKey,
        version: 1,
        storage,
        partialize: (s): Persisted => ({
          items: s.items,
          order: s.order,
          currentKey: s.currentKey,
          shuffle: s.shuffle,
          volume: s.volume,
          muted: s.muted,
          repeat: s.repeat,
          crossfadeS: s.crossfadeS,
          normalize: s.normalize,
          quality: s.quality,
          resumePositionS: s.resumePositionS,
        }),
        merge: (persisted, current) => ({ ...current, ...sanitizePersisted(persisted) }),
      },
    ),
  );
}

/** The app's playback facts, written by the engine. */
export const usePlaybackStatus = createStatusStore();

/** The app's player store. */
export const usePlayer = createPlayerStore({ status: usePlaybackStatus });
