import type { PlayEvent } from '../api/tracks';

/** Sends one play event; failures are the reporter's to swallow (plays are best effort). */
export type PlaySender = (trackId: string, event: PlayEvent) => Promise<unknown>;

/** How much listening a `progress` event reports, at most. */
export const kProgressEveryMs = 30_000;
/** Position jumps larger than this between two time updates are seeks, not listening. */
const kMaxTickS = 2;

interface Listen {
  trackId: string;
  sessionId: string;
  listenedMs: number;
  reportedMs: number;
  started: boolean;
}

/**
 * Turns the player's time updates into play events for POST /tracks/{id}/plays: `started` when
 * sound first comes out, `progress` every 30 s listened (the total so far), `completed` at the
 * end. A listen is one pass through a track: replaying (repeat, or again later) starts a new
 * session, so each counts. Seeks do not count as listening.
 */
export class PlayReporter {
  private listen: Listen | null = null;
  private lastPositionS: number | null = null;
  /** The current track; its listen opens when sound first comes out. */
  private pendingTrack: string | null = null;

  constructor(
    private readonly send: PlaySender,
    private readonly newSessionId: () => string,
  ) {}

  /** The current track changed (or nothing plays with null): what was listened is reported. */
  setTrack(trackId: string | null): void {
    if (this.listen?.trackId === trackId) return;
    this.flush();
    this.listen = null;
    this.lastPositionS = null;
    this.pendingTrack = trackId;
  }

  /** A time update from the engine. */
  time(positionS: number, playing: boolean): void {
    const previous = this.lastPositionS;
    this.lastPositionS = positionS;
    if (!playing || this.pendingTrack === null) return;
    if (this.listen === null) {
      this.listen = {
        trackId: this.pendingTrack,
        sessionId: this.newSessionId(),
        listenedMs: 0,
        reportedMs: 0,
        started: false,
      };
    }
    const listen = this.listen;
    if (!listen.started) {
      listen.started = true;
      this.emit(listen, 'started');
    }
    if (previous === null) return;
    const delta = positionS - previous;
    if (delta > 0 && delta < kMaxTickS) listen.listenedMs += delta * 1000;
    if (listen.listenedMs - listen.reportedMs >= kProgressEveryMs) this.emit(listen, 'progress');
  }

  /** The track played to its end (or was handed over to the next one at its end). */
  completed(): void {
    const listen = this.listen;
    if (listen?.started) this.emit(listen, 'completed');
    // The next pass through the same track is a new listen.
    this.listen = null;
    this.lastPositionS = null;
  }

  /** Reports listening not yet reported (track change, pause, page hide). */
  flush(): void {
    const listen = this.listen;
    if (listen?.started && Math.round(listen.listenedMs) > listen.reportedMs) this.emit(listen, 'progress');
  }

  private emit(listen: Listen, event: PlayEvent['event']): void {
    const listenedMs = Math.round(listen.listenedMs);
    listen.reportedMs = listenedMs;
    const body: PlayEvent = { event, session_id: listen.sessionId };
    if (event !== 'started') body.listened_ms = listenedMs;
    void this.send(listen.trackId, body).catch(() => undefined);
  }
}

/** Random session ids, one per listen. */
export function randomSessionId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
