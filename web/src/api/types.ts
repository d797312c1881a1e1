// Types of the API contract. They come from src/api/schema.d.ts, generated from docs/openapi.yaml
// by `npm run gen:api`; these aliases give the components the names the app uses.
import type { components, operations } from './schema';

type Schemas = components['schemas'];
type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** Body of every non-2xx answer from /api/v1 (request_id is filled from the header when absent). */
export type ApiErrorBody = Omit<Schemas['ErrorEnvelope']['error'], 'request_id'> & {
  request_id?: string;
};

export interface ApiErrorEnvelope {
  error: ApiErrorBody;
}

/** Cursor page shape shared by every list endpoint. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type SocialLink = Schemas['SocialLink'];
export type LimitedProfile = Schemas['LimitedProfile'];
export type Profile = Schemas['Profile'];
/** The signed-in account (GET /users/me). */
export type Me = Schemas['Me'];
export type User = Me;
export type Role = Profile['role'];

/** Answer of /auth/refresh; refresh_token is absent for cookie sessions. */
export type Tokens = Schemas['Tokens'];
/** Answer of register and login: the tokens and the account. */
export type AuthSession = Schemas['SignIn'];

export type LoginRequest = JsonBody<operations['login']['requestBody']>;
export type RegisterRequest = JsonBody<operations['register']['requestBody']>;

export type Visibility = Schemas['Visibility'];
export type Licence = Schemas['Licence'];
export type Track = Schemas['Track'];
export type TrackStatus = Track['status'];
export type TrackInput = Schemas['TrackInput'];

/**
 * Who a track belongs to, when the page knows it: a track only carries `user_id`, so lists and
 * pages pass the profile they were reached through (or the signed-in account).
 */
export type TrackOwner = Pick<LimitedProfile, 'username' | 'display_name'>;

/** GET /tracks/{id}/stream */
export type StreamInfo = JsonBody<operations['streamTrack']['responses']['200']>;

/** GET /users/{username}: the full profile, or the limited one of a private account. */
export type PublicProfile = JsonBody<operations['getUser']['responses']['200']>;
