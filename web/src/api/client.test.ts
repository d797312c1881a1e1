import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from './client';
import type { AuthSession, Me, Tokens } from './types';

const me: Me = {
  id: '1',
  username: 'ana',
  display_name: 'Ana',
  avatar_url: null,
  banner_url: null,
  is_private: false,
  bio: '',
  location: '',
  website: '',
  social_links: [],
  role: 'user',
  created_at: '2026-01-01T00:00:00Z',
  email: 'ana@example.com',
  email_verified: true,
  language: 'en',
  status: 'active',
  updated_at: '2026-01-01T00:00:00Z',
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function session(token: string): AuthSession {
  return { ...tokens(token), user: me };
}

function tokens(token: string): Tokens {
  return { access_token: token, token_type: 'Bearer', expires_in: 900, session_id: 's-1' };
}

/**
 * A fake server at the fetch boundary following the contract: /auth/refresh (cookie route, so it
 * needs X-Requested-With: veza) rotates a token and answers Tokens; everything else, /users/me
 * included, needs the current token.
 */
function fakeServer(options: { refreshDelayMs?: number; refreshOk?: boolean } = {}) {
  let valid = 'old';
  let refreshes = 0;
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    if (url === '/api/v1/auth/refresh') {
      refreshes += 1;
      expect(init?.credentials).toBe('include');
      expect(JSON.parse(String(init?.body))).toEqual({ session: 'cookie' });
      if (headers.get('X-Requested-With') !== 'veza') {
        return json(403, { error: { code: 'csrf_header_missing', message: 'Missing header.', request_id: 'r-0' } });
      }
      await new Promise((r) => setTimeout(r, options.refreshDelayMs ?? 5));
      if (options.refreshOk === false) {
        return json(401, { error: { code: 'unauthenticated', message: 'Sign in again.', request_id: 'r-1' } });
      }
      valid = `new-${refreshes}`;
      return json(200, tokens(valid));
    }
    if (headers.get('Authorization') !== `Bearer ${valid}`) {
      return json(401, { error: { code: 'unauthenticated', message: 'Token expired.', request_id: 'r-2' } });
    }
    if (url === '/api/v1/users/me') return json(200, me);
    return json(200, { ok: true, url });
  });
  return { fetchFn, refreshes: () => refreshes, expire: () => (valid = 'rotated-away') };
}

describe('ApiClient', () => {
  it('sends JSON with the bearer token and the cookie credentials', async () => {
    const server = fakeServer();
    const client = new ApiClient({ fetch: server.fetchFn, isOnline: () => true });
    client.setSession(session('old'));
    await expect(client.post('/things', { a: 1 }, { })).resolves.toEqual({ ok: true, url: '/api/v1/things' });
    const init = server.fetchFn.mock.calls[0]![1]!;
    expect(new Headers(init.headers).get('Content-Type')).toBe('application/json');
    expect(init.body).toBe('{"a":1}');
    expect(init.credentials).toBe('include');
  });

  it('refreshes once for many concurrent 401s and retries each request', async () => {
    const server = fakeServer({ refreshDelayMs: 20 });
    const client = new ApiClient({ fetch: server.fetchFn, isOnline: () => true });
    client.setSession(session('old'));
    server.expire();
    const results = await Promise.all([
      client.get('/a'),
      client.get('/b'),
      client.get('/c', { limit: 2, cursor: undefined }),
    ]);
    expect(server.refreshes()).toBe(1);
    expect(results.map((r) => (r as { url: string }).url)).toEqual([
      '/api/v1/a',
      '/api/v1/b',
      '/api/v1/c?limit=2',
    ]);
    expect(client.hasAccessToken).toBe(true);
  });

  it('restores the session from the refresh cookie: new tokens, then the account from /users/me', async () => {
    const server = fakeServer();
    const client = new ApiClient({ fetch: server.fetchFn, isOnline: () => true });
    const restored = await client.refresh();
    expect(restored).toMatchObject({ access_token: 'new-1', user: { username: 'ana' } });
    const calls = server.fetchFn.mock.calls.map(([input, init]) => [
      String(input),
      new Headers(init?.headers).get('X-Requested-With'),
      new Headers(init?.headers).get('Authorization'),
    ]);
    expect(calls).toEqual([
      ['/api/v1/auth/refresh', 'veza', null],
      ['/api/v1/users/me', null, 'Bearer new-1'],
    ]);
  });

  it('starts a new refresh after the previous one settled', async () => {
    const server = fakeServer();
    const client = new ApiClient({ fetch: server.fetchFn, isOnline: () => true });
    await client.refresh();
    server.expire();
    await client.get('/a');
    expect(server.refreshes()).toBe(2);
  });

  it('signs out and surfaces the envelope when the refresh is refused', async () => {
    const server = fakeServer({ refreshOk: false });
    const client = new ApiClient({ fetch: server.fetchFn, isOnline: () => true });
    const seen: Array<AuthSession | null> = [];
    client.onSessionChange((s) => seen.push(s));
    client.setSession(session('stale'));
    const error = await client.get('/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, code: 'unauthenticated', requestId: 'r-2' });
    expect(seen.at(-1)).toBeNull();
    expect(client.hasAccessToken).toBe(false);
  });

  it('parses the error envelope with fields and request id', async () => {
    const fetchFn = vi.fn(async () =>
      json(422, {
        error: {
          code: 'validation_failed',
          message: 'Some fields are invalid.',
          fields: { password: 'too short' },
          request_id: 'req-42',
        },
      }),
    );
    const client = new ApiClient({ fetch: fetchFn, isOnline: () => true });
    const error = (await client.post('/auth/register', {}).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(422);
    expect(error.message).toBe('Some fields are invalid.');
    expect(error.fields).toEqual({ password: 'too short' });
    expect(error.requestId).toBe('req-42');
  });

  it('maps a non-JSON failure to an http_<status> error with the header request id', async () => {
    const fetchFn = vi.fn(
      async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'X-Request-Id': 'h-7' } }),
    );
    const client = new ApiClient({ fetch: fetchFn, isOnline: () => true });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 502, code: 'http_502', requestId: 'h-7' });
  });

  it('reports offline without calling the network', async () => {
    const fetchFn = vi.fn();
    const client = new ApiClient({ fetch: fetchFn, isOnline: () => false });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 0, code: 'offline' });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('reports a network failure when fetch rejects while online', async () => {
    const fetchFn = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const client = new ApiClient({ fetch: fetchFn, isOnline: () => true });
    await expect(client.get('/x')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('returns undefined for an empty success body', async () => {
    const fetchFn = vi.fn(async () => new Response(null, { status: 204 }));
    const client = new ApiClient({ fetch: fetchFn, isOnline: () => true });
    await expect(client.delete('/x')).resolves.toBeUndefined();
  });
});
