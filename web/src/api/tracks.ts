import { api } from './instance';
import type { Page, PublicProfile, StreamInfo, Track } from './types';

export function listLatestTracks(cursor?: string, signal?: AbortSignal): Promise<Page<Track>> {
  return api.get<Page<Track>>('/tracks', { cursor, limit: 24 }, signal);
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
