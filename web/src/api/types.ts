// Hand-written subset of the API contract until docs/openapi.yaml exists; `npm run gen:api` then
// produces src/api/schema.d.ts and these aliases should point at its components.

/** Body of every non-2xx answer from /api/v1. */
export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string>;
  request_id?: string;
}

export interface ApiErrorEnvelope {
  error: ApiErrorBody;
}

/** Cursor page shape shared by every list endpoint. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Role = 'user' | 'creator' | 'moderator' | 'admin';

export interface SocialLink {
  platform: string;
  url: string;
}

export interface User {
  id: string;
  username: string;
  display_name: string | null;
  bio?: string | null;
  location?: string | null;
  website?: string | null;
  social_links?: SocialLink[];
  avatar_url?: string | null;
  banner_url?: string | null;
  is_private?: boolean;
  language?: string | null;
  role?: Role;
}

/** Answer of register, login and refresh (refresh_token is absent for cookie sessions). */
export interface AuthSession {
  user: User;
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

export interface LoginRequest {
  login: string;
  password: string;
  totp_code?: string;
  recovery_code?: string;
  session: 'cookie';
}

export interface RegisterRequest {
  email: string;
  username: string;
  password: string;
  display_name?: string;
  session: 'cookie';
}

export type TrackStatus = 'processing' | 'ready' | 'failed';
export type Visibility = 'public' | 'unlisted' | 'private';

export interface TrackOwner {
  id: string;
  username: string;
  display_name: string | null;
  avatar_url?: string | null;
}

export interface Track {
  id: string;
  title: string;
  owner: TrackOwner;
  status: TrackStatus;
  duration_ms: number | null;
  description?: string | null;
  genre?: string | null;
  tags?: string[];
  bpm?: number | null;
  musical_key?: string | null;
  visibility?: Visibility;
  cover_url?: string | null;
  replay_gain_db?: number | null;
  true_peak_dbtp?: number | null;
  play_count?: number;
  created_at?: string;
}

/** GET /tracks/{id}/stream */
export interface StreamInfo {
  hls_url: string;
  expires_at: string;
}
