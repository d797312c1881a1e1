import { useEffect } from 'react';
import { getStream, recordPlay } from '../api/tracks';
import { startPlayerController } from './controller';
import { AudioEngine, browserEnv, type StreamResolver } from './engine';
import { mediaSessionOrNull } from './mediaSession';
import { PlayReporter, randomSessionId } from './plays';
import { shortcutFor } from './shortcuts';
import { usePlaybackStatus, usePlayer } from './store';
import { exposeTelemetry } from './telemetry';

const resolveStream: StreamResolver = (trackId, signal) =>
  getStream(trackId, signal).then((stream) => stream.hls_url);

/** Mounts the audio engine once for the app's lifetime (the layout owns it). */
export function usePlayerController(): void {
  useEffect(() => exposeTelemetry(window), []);
  useEffect(
    () =>
      startPlayerController({
        store: usePlayer,
        status: usePlaybackStatus,
        createEngine: (events) => new AudioEngine(browserEnv, events, resolveStream),
        mediaSession: mediaSessionOrNull(),
        window,
        plays: new PlayReporter(recordPlay, randomSessionId),
      }),
    [],
  );
}

/** Space, arrows, shift+arrows and M anywhere except in text fields. */
export function usePlayerShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const action = shortcutFor(event);
      const player = usePlayer.getState();
      if (!action || player.currentKey === null) return;
      event.preventDefault();
      switch (action.type) {
        case 'toggle':
          player.togglePlay();
          break;
        case 'seek':
          player.seekBy(action.deltaS);
          break;
        case 'previous':
          player.previous();
          break;
        case 'next':
          player.next();
          break;
        case 'mute':
          player.toggleMute();
          break;
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
