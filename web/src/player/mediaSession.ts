import type { PlayerTrack } from './types';

export const kSeekStepS = 10;

export interface MediaSessionHandlers {
  play(): void;
  pause(): void;
  previous(): void;
  next(): void;
  seekBy(deltaS: number): void;
  seekTo(positionS: number): void;
}

export function mediaSessionOrNull(): MediaSession | null {
  return typeof navigator !== 'undefined' && 'mediaSession' in navigator ? navigator.mediaSession : null;
}

/** Registers the OS media keys and notification controls; returns the unregister function. */
export function bindMediaSession(session: MediaSession, handlers: MediaSessionHandlers): () => void {
  const actions: Array<[MediaSessionAction, MediaSessionActionHandler]> = [
    ['play', () => handlers.play()],
    ['pause', () => handlers.pause()],
    ['previoustrack', () => handlers.previous()],
    ['nexttrack', () => handlers.next()],
    ['seekbackward', (d) => handlers.seekBy(-(d.seekOffset ?? kSeekStepS))],
    ['seekforward', (d) => handlers.seekBy(d.seekOffset ?? kSeekStepS)],
    ['seekto', (d) => {
      if (d.seekTime !== undefined) handlers.seekTo(d.seekTime);
    }],
  ];
  for (const [action, handler] of actions) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // Browsers throw for actions they do not support; the others still work.
    }
  }
  return () => {
    for (const [action] of actions) {
      try {
        session.setActionHandler(action, null);
      } catch {
        // Same as above.
      }
    }
  };
}

export function updateMetadata(session: MediaSession, track: PlayerTrack | null): void {
  if (track === null || typeof MediaMetadata === 'undefined') {
    session.metadata = null;
    return;
  }
  session.metadata = new MediaMetadata({
    title: track.title,
    artist: track.artist,
    artwork: track.coverUrl ? [{ src: track.coverUrl, sizes: '512x512' }] : [],
  });
}

export function updatePosition(session: MediaSession, positionS: number, durationS: number): void {
  if (!session.setPositionState || !(durationS > 0)) return;
  try {
    session.setPositionState({
      duration: durationS,
      position: Math.min(Math.max(positionS, 0), durationS),
      playbackRate: 1,
    });
  } catch {
    // Inconsistent values during a track change are refused; the next update fixes it.
  }
}
