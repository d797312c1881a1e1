import type { EngineEvents } from './engine';
import { volumeToGain } from './gain';
import { bindMediaSession, updateMetadata, updatePosition } from './mediaSession';
import { currentItem, itemByKey, nextKey, type QueueItem } from './queue';
import type { PlayerState, PlayerStore, StatusStore } from './store';
import type { PlayReporter } from './plays';
import type { Quality } from './types';

/** The engine operations the controller drives (AudioEngine implements them). */
export interface EnginePort {
  setCurrent(entry: QueueItem | null, startAtS?: number): void;
  setNext(entry: QueueItem | null): void;
  play(): void;
  pause(): void;
  seek(positionS: number): void;
  positionS(): number;
  setVolume(gain: number): void;
  setNormalize(on: boolean): void;
  setCrossfade(seconds: number): void;
  setQuality(quality: Quality): void;
  destroy(): void;
}

export interface ControllerDeps {
  store: PlayerStore;
  status: StatusStore;
  createEngine(events: EngineEvents): EnginePort;
  mediaSession: MediaSession | null;
  /** Where `pagehide` is listened for; absent in tests. */
  window?: Window;
  /** Reports play events to the server; absent in tests that do not look at them. */
  plays?: PlayReporter;
}

/** Saved resume position is refreshed this often while playing. */
const kSaveEveryS = 5;
const kMediaPositionEveryS = 1;

function upcoming(state: PlayerState): QueueItem | null {
  const key = nextKey(state, state.repeat, true);
  return key === state.currentKey ? null : itemByKey(state, key);
}

/**
 * Keeps the audio engine in step with the player store: the store holds what the user wants,
 * the engine reports what is happening. Returns the function that stops everything.
 */
export function startPlayerController(deps: ControllerDeps): () => void {
  const { store, status, mediaSession, plays } = deps;
  let lastSavedS = 0;
  let lastMediaPositionS = -Infinity;

  const engine = deps.createEngine({
    onTime(positionS, durationS) {
      status.setState({ positionS, durationS });
      plays?.time(positionS, status.getState().isPlaying);
      if (Math.abs(positionS - lastSavedS) >= kSaveEveryS) {
        lastSavedS = positionS;
        store.getState().savePosition(positionS);
      }
      if (mediaSession && Math.abs(positionS - lastMediaPositionS) >= kMediaPositionEveryS) {
        lastMediaPositionS = positionS;
        updatePosition(mediaSession, positionS, durationS);
      }
    },
    onPlaying(isPlaying) {
      status.setState({ isPlaying, error: isPlaying ? null : status.getState().error });
      if (mediaSession) mediaSession.playbackState = isPlaying ? 'playing' : 'paused';
      if (!isPlaying) {
        store.getState().savePosition(engine.positionS());
        plays?.flush();
      }
    },
    onExternalPause: () => store.getState().pause(),
    onBuffering: (buffering) => status.setState({ buffering }),
    onEnded: () => {
      plays?.completed();
      store.getState().trackEnded();
    },
    onHandOver: (key) => {
      plays?.completed();
      store.getState().handedOver(key);
    },
    onLevels: (levels, currentLevel, nativeHls) =>
      status.setState({ levels, currentLevel, nativeHls }),
    onError(message) {
      status.setState({ error: message, buffering: false });
      store.getState().pause();
    },
  });

  store.getState().attachEngine({
    seek: (positionS) => engine.seek(positionS),
    positionS: () => engine.positionS(),
  });

  const initial = store.getState();
  engine.setVolume(volumeToGain(initial.volume, initial.muted));
  engine.setNormalize(initial.normalize);
  engine.setCrossfade(initial.crossfadeS);
  engine.setQuality(initial.quality);
  engine.setCurrent(currentItem(initial), initial.resumePositionS);
  plays?.setTrack(currentItem(initial)?.track.id ?? null);
  engine.setNext(upcoming(initial));
  lastSavedS = initial.resumePositionS;
  if (mediaSession) updateMetadata(mediaSession, currentItem(initial)?.track ?? null);

  const unsubscribe = store.subscribe((state, previous) => {
    if (state.volume !== previous.volume || state.muted !== previous.muted) {
      engine.setVolume(volumeToGain(state.volume, state.muted));
    }
    if (state.normalize !== previous.normalize) engine.setNormalize(state.normalize);
    if (state.crossfadeS !== previous.crossfadeS) engine.setCrossfade(state.crossfadeS);
    if (state.quality !== previous.quality) engine.setQuality(state.quality);
    if (state.currentKey !== previous.currentKey) {
      const item = currentItem(state);
      lastSavedS = state.resumePositionS;
      plays?.setTrack(item?.track.id ?? null);
      engine.setCurrent(item, state.resumePositionS);
      if (mediaSession) updateMetadata(mediaSession, item?.track ?? null);
      if (item === null) status.setState({ positionS: 0, durationS: 0, levels: [], currentLevel: -1 });
    }
    if (
      state.currentKey !== previous.currentKey ||
      state.order !== previous.order ||
      state.repeat !== previous.repeat
    ) {
      engine.setNext(upcoming(state));
    }
    if (state.wantsPlay !== previous.wantsPlay) {
      // Called synchronously from the click that changed the store, so audio may start.
      if (state.wantsPlay) engine.play();
      else engine.pause();
    }
  });

  const unbindMediaSession = mediaSession
    ? bindMediaSession(mediaSession, {
        play: () => store.getState().play(),
        pause: () => store.getState().pause(),
        previous: () => store.getState().previous(),
        next: () => store.getState().next(),
        seekBy: (deltaS) => store.getState().seekBy(deltaS),
        seekTo: (positionS) => store.getState().seek(positionS),
      })
    : () => undefined;

  const onPageHide = () => {
    store.getState().savePosition(engine.positionS());
    plays?.flush();
  };
  deps.window?.addEventListener('pagehide', onPageHide);

  return () => {
    deps.window?.removeEventListener('pagehide', onPageHide);
    unbindMediaSession();
    unsubscribe();
    store.getState().attachEngine(null);
    engine.destroy();
  };
}
