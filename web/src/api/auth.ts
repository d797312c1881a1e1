import { api } from './instance';
import type { AuthSession, LoginRequest, Me, RegisterRequest } from './types';

export async function login(body: Omit<LoginRequest, 'session'>): Promise<AuthSession> {
  const session = await api.post<AuthSession>(
    '/auth/login',
    { ...body, session: 'cookie' },
    { retryOnUnauthorized: false },
  );
  api.setSession(session);
  return session;
}

export async function register(body: Omit<RegisterRequest, 'session'>): Promise<AuthSession> {
  const session = await api.post<AuthSession>('/auth/register', { ...body, session: 'cookie' });
  api.setSession(session);
  return session;
}

export async function logout(): Promise<void> {
  try {
    await api.post<void>('/auth/logout', undefined, { retryOnUnauthorized: false });
  } finally {
    api.setSession(null);
  }
}

export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return api.get<Me>('/users/me', undefined, signal);
}
