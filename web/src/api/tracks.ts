import { api } from './instance';
import type { Page, PublicProfile, StreamInfo, Track, TrackInput } from './types';

export function listLatestTracks(cursor?: string, signal?: AbortSignal, tag?: string): Promise<Page<Track>> {
  return api.get<Page<Track>>('/tracks', { cursor, limit: 24, tag }, signal);
}

export function getTrack(id: string, signal?: AbortSignal): Promise<Track> {
  return api.get<Track>(`/tracks/${encodeURIComponent(id)}`, undefined, signal);
}

export function getUser(username: string, signal?: AbortSignal): Promise<PublicProfile> {
  return api.get<PublicProfile>(`/users/${encodeURIComponent(username)}`, undefined, signal);
}

export function listUserTracks(
  username: string,
  cursor?: string,
  signal?: AbortSignal,
): Promise<Page<Track>> {
  return api.get<Page<Track>>(
    `/users/${encodeURIComponent(username)}/tracks`,
    { cursor, limit: 24 },
    signal,
  );
}

export function getStream(id: string, signal?: AbortSignal): Promise<StreamInfo> {
  return api.get<StreamInfo>(`/tracks/${encodeURIComponent(id)}/stream`, undefined, signal);
}

/** Raw peaks (BBC audiowaveform JSON); parse with features/tracks/waveform. */
export function getWaveform(
  id: string,
  resolution: 'overview' | 'detail' = 'overview',
  signal?: AbortSignal,
): Promise<unknown> {
  return api.get<unknown>(`/tracks/${encodeURIComponent(id)}/waveform`, { resolution }, signal);
}

export function updateTrack(id: string, input: TrackInput): Promise<Track> {
  return api.patch<Track>(`/tracks/${encodeURIComponent(id)}`, input);
}

export function deleteTrack(id: string): Promise<void> {
  return api.delete<void>(`/tracks/${encodeURIComponent(id)}`);
}

/** Replaces the cover with the raw image bytes (the server sniffs and resizes them). */
export function putCover(id: string, image: Blob): Promise<Track> {
  return api.request<Track>(`/tracks/${encodeURIComponent(id)}/cover`, {
    method: 'PUT',
    body: image,
    headers: image.type ? { 'Content-Type': image.type } : {},
  });
}

/** Creates a track from a finished resumable upload. */
export function createTrackFromUpload(input: TrackInput & { upload_id: string }): Promise<Track> {
  return api.post<Track>('/tracks', input);
}

export type PlayEventKind = 'started' | 'progress' | 'completed';

export interface PlayEvent {
  event: PlayEventKind;
  session_id: string;
  listened_ms?: number;
}

export function recordPlay(id: string, event: PlayEvent): Promise<{ counted: boolean; play_count: number }> {
  return api.post(`/tracks/${encodeURIComponent(id)}/plays`, event);
}

/** The track's owner when the server includes it (older servers do not). */
export function ownerOf(track: Track): TrackOwnerInfo | null {
  const owner = (track as Track & { owner?: unknown }).owner;
  if (typeof owner !== 'object' || owner === null) return null;
  const o = owner as Partial<TrackOwnerInfo>;
  return typeof o.username === 'string'
    ? { id: String(o.id ?? ''), username: o.username, display_name: o.display_name ?? '', avatar_url: o.avatar_url ?? null }
    : null;
}

export interface TrackOwnerInfo {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
}
