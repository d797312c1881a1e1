import type { Track } from '../api/types';

/** What the player needs to know about a track; the stream URL is fetched fresh at load time. */
export interface PlayerTrack {
  id: string;
  title: string;
  artist: string;
  artistUsername: string;
  coverUrl: string | null;
  durationMs: number | null;
  replayGainDb: number | null;
  truePeakDbtp: number | null;
}

export function toPlayerTrack(track: Track): PlayerTrack {
  return {
    id: track.id,
    title: track.title,
    artist: track.owner.display_name || track.owner.username,
    artistUsername: track.owner.username,
    coverUrl: track.cover_url ?? null,
    durationMs: track.duration_ms,
    replayGainDb: track.replay_gain_db ?? null,
    truePeakDbtp: track.true_peak_dbtp ?? null,
  };
}

/** `auto` lets the ABR choose; a number caps the rendition at that bandwidth (bits per second). */
export type Quality = 'auto' | number;

export interface Rendition {
  index: number;
  bitrate: number;
  codec: string | null;
}
