// Calls of the signed-in account: profile, images, password, two-factor, sessions, connections,
// email verification and password reset, export and deletion. Shapes come from docs/openapi.yaml.
import { api } from './instance';
import type { operations } from './schema';
import type { AuthSession, Me } from './types';

type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type ProfileUpdate = JsonBody<operations['updateMe']['requestBody']>;
export type Session = JsonBody<operations['listSessions']['responses']['200']>['items'][number];
export type TwoFactorStatus = JsonBody<operations['getTwoFactor']['responses']['200']>;
export type TwoFactorSetup = JsonBody<operations['setupTwoFactor']['responses']['200']>;
export type OAuthProvider = JsonBody<operations['listOAuthProviders']['responses']['200']>['items'][number];
export type Connection = JsonBody<operations['listConnections']['responses']['200']>['items'][number];

export function updateMe(body: ProfileUpdate): Promise<Me> {
  return api.patch<Me>('/users/me', body);
}

export type ProfileImageKind = 'avatar' | 'banner';

/** Sends the image bytes as the request body (not multipart), as PUT /users/me/{avatar,banner} wants. */
export function putProfileImage(kind: ProfileImageKind, image: Blob): Promise<Me> {
  return api.request<Me>(`/users/me/${kind}`, {
    method: 'PUT',
    body: image,
    headers: { 'Content-Type': image.type || 'application/octet-stream' },
  });
}

export async function deleteProfileImage(kind: ProfileImageKind): Promise<void> {
  await api.delete<void>(`/users/me/${kind}`);
}

export function changePassword(current_password: string, new_password: string): Promise<void> {
  return api.post<void>('/auth/password/change', { current_password, new_password });
}

export function forgotPassword(email: string): Promise<void> {
  return api.post<void>('/auth/password/forgot', { email }, { retryOnUnauthorized: false });
}

export function resetPassword(token: string, new_password: string): Promise<void> {
  return api.post<void>('/auth/password/reset', { token, new_password }, { retryOnUnauthorized: false });
}

export function verifyEmail(token: string): Promise<void> {
  return api.post<void>('/auth/verify-email', { token }, { retryOnUnauthorized: false });
}

export function requestEmailVerification(): Promise<void> {
  return api.post<void>('/auth/verify-email/request');
}

export function getTwoFactor(signal?: AbortSignal): Promise<TwoFactorStatus> {
  return api.get<TwoFactorStatus>('/auth/2fa', undefined, signal);
}

export function setupTwoFactor(): Promise<TwoFactorSetup> {
  return api.post<TwoFactorSetup>('/auth/2fa/setup');
}

export async function enableTwoFactor(code: string): Promise<string[]> {
  const answer = await api.post<{ recovery_codes: string[] }>('/auth/2fa/enable', { code });
  return answer.recovery_codes;
}

export function disableTwoFactor(body: { password?: string; code: string }): Promise<void> {
  return api.post<void>('/auth/2fa/disable', body);
}

export async function listSessions(signal?: AbortSignal): Promise<Session[]> {
  return (await api.get<{ items: Session[] }>('/auth/sessions', undefined, signal)).items;
}

export function endSession(id: string): Promise<void> {
  return api.delete<void>(`/auth/sessions/${encodeURIComponent(id)}`);
}

export async function listOAuthProviders(signal?: AbortSignal): Promise<OAuthProvider[]> {
  return (await api.get<{ items: OAuthProvider[] }>('/auth/oauth/providers', undefined, signal)).items;
}

export async function listConnections(signal?: AbortSignal): Promise<Connection[]> {
  return (await api.get<{ items: Connection[] }>('/users/me/connections', undefined, signal)).items;
}

export function unlinkConnection(provider: string): Promise<void> {
  return api.delete<void>(`/users/me/connections/${encodeURIComponent(provider)}`);
}

/**
 * Linking must carry the bearer token, which a plain navigation cannot: ask the start endpoint for
 * JSON with fetch, then send the browser to the provider ourselves.
 */
export async function startOAuthLink(provider: string, redirect: string): Promise<string> {
  const answer = await api.get<{ authorize_url: string }>(
    `/auth/oauth/${encodeURIComponent(provider)}/start`,
    { mode: 'json', redirect },
  );
  return answer.authorize_url;
}

/** Trades the callback's one-time code for a cookie session, like login (2FA applies). */
export async function exchangeOAuthCode(body: {
  code: string;
  totp_code?: string;
  recovery_code?: string;
}): Promise<AuthSession> {
  const session = await api.post<AuthSession>(
    '/auth/oauth/exchange',
    { ...body, session: 'cookie' },
    { retryOnUnauthorized: false },
  );
  api.setSession(session);
  return session;
}

/** The export as a file the browser saves; the bearer token rules out a plain link. */
export async function downloadExport(username: string): Promise<void> {
  const data = await api.get<unknown>('/users/me/export');
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `veza-${username}-export.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function deleteAccount(password: string): Promise<void> {
  await api.request<void>('/users/me', { method: 'DELETE', body: { password } });
  api.setSession(null);
}
