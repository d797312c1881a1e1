import { ownerOf } from '../api/tracks';
import type { Track, TrackOwner } from '../api/types';

/** What the player needs to know about a track; the stream URL is fetched fresh at load time. */
export interface PlayerTrack {
  id: string;
  title: string;
  /** Empty when the owner is not known where the track was queued from. */
  artist: string;
  artistUsername: string | null;
  coverUrl: string | null;
  durationMs: number | null;
  replayGainDb: number | null;
  truePeakDbtp: number | null;
}

export function toPlayerTrack(track: Track, known?: TrackOwner | null): PlayerTrack {
  // Servers that embed the owner in the track name it even where the page does not know it.
  const owner = known ?? ownerOf(track);
  return {
    id: track.id,
    title: track.title,
    artist: owner ? owner.display_name || owner.username : '',
    artistUsername: owner?.username ?? null,
    coverUrl: track.cover_url ?? null,
    durationMs: track.duration_ms > 0 ? track.duration_ms : null,
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
