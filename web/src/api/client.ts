import type { ApiErrorBody, ApiErrorEnvelope, AuthSession, Me, Tokens } from './types';

/** Codes the client itself produces when no server answer could be read. */
export const kOfflineCode = 'offline';
export const kNetworkErrorCode = 'network_error';
export const kBadResponseCode = 'bad_response';

/** A failed API call: the server's error envelope, or a transport failure with status 0. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  readonly requestId: string | null;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.fields = body.fields ?? {};
    this.requestId = body.request_id ?? null;
  }

  /** True when the request never reached the server (offline or network failure). */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Plain objects are sent as JSON; FormData and Blob as they are. */
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Whether a 401 may trigger one silent refresh and a retry (default true). */
  retryOnUnauthorized?: boolean;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Reads connectivity; injectable so tests need not touch navigator. */
  isOnline?: () => boolean;
}

type SessionListener = (session: AuthSession | null) => void;

const kRefreshPath = '/auth/refresh';
const kMePath = '/users/me';
/** The server takes the refresh token from the cookie only with this header (CSRF protection). */
const kRefreshHeaders = { 'X-Requested-With': 'veza' };

function isEnvelope(value: unknown): value is ApiErrorEnvelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as ApiErrorBody).code === 'string' &&
    typeof (error as ApiErrorBody).message === 'string'
  );
}

function buildUrl(baseUrl: string, path: string, query?: Query): string {
  let url = baseUrl + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += (url.includes('?') ? '&' : '?') + text;
  }
  return url;
}

function encodeBody(body: unknown, headers: Headers): BodyInit | undefined {
  if (body === undefined) return undefined;
  if (body instanceof FormData || body instanceof Blob || body instanceof URLSearchParams) {
    return body;
  }
  headers.set('Content-Type', 'application/json');
  return JSON.stringify(body);
}

/**
 * Fetch wrapper for /api/v1. The access token lives only in this object's memory; the refresh
 * token is an httpOnly cookie the browser sends with `credentials: 'include'`.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly isOnline: () => boolean;
  private accessToken: string | null = null;
  private refreshInFlight: Promise<AuthSession | null> | null = null;
  private readonly listeners = new Set<SessionListener>();

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '/api/v1';
    // The global is looked up per call so it keeps its `this` (and tests can stub it).
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.isOnline =
      options.isOnline ?? (() => typeof navigator === 'undefined' || navigator.onLine !== false);
  }

  get hasAccessToken(): boolean {
    return this.accessToken !== null;
  }

  /** For transports other than fetch (uploads with progress): the header value, or null. */
  authorization(): string | null {
    return this.accessToken ? `Bearer ${this.accessToken}` : null;
  }

  /** Absolute path of an API endpoint, e.g. for XMLHttpRequest. */
  url(path: string, query?: Query): string {
    return buildUrl(this.baseUrl, path, query);
  }

  /** Stores the session's access token and tells listeners who is signed in now. */
  setSession(session: AuthSession | null): void {
    this.accessToken = session?.access_token ?? null;
    for (const listener of this.listeners) listener(session);
  }

  /** Called on sign-in, refresh and whenever the session is lost. Returns an unsubscribe. */
  onSessionChange(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Trades the refresh cookie for a new access token. Concurrent callers share one request so a
   * rotated refresh token is never presented twice (which the server treats as theft).
   */
  refresh(): Promise<AuthSession | null> {
    if (!this.refreshInFlight) {
      this.refreshInFlight = this.doRefresh().finally(() => {
        this.refreshInFlight = null;
      });
    }
    return this.refreshInFlight;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const tokenUsed = this.accessToken;
    const response = await this.send(path, options, tokenUsed);
    if (response.status === 401 && options.retryOnUnauthorized !== false && path !== kRefreshPath) {
      // Another caller may have refreshed while this request was in flight.
      const session =
        this.accessToken !== null && this.accessToken !== tokenUsed
          ? true
          : await this.refresh();
      if (session) return this.parse<T>(await this.send(path, options, this.accessToken));
    }
    return this.parse<T>(response);
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { query, signal });
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body' | 'method'> = {}) {
    return this.request<T>(path, { ...options, method: 'POST', body });
  }

  patch<T>(path: string, body?: unknown) {
    return this.request<T>(path, { method: 'PATCH', body });
  }

  delete<T>(path: string) {
    return this.request<T>(path, { method: 'DELETE' });
  }

  private async doRefresh(): Promise<AuthSession | null> {
    try {
      const tokens = await this.parse<Tokens>(
        await this.send(
          kRefreshPath,
          { method: 'POST', body: { session: 'cookie' }, headers: kRefreshHeaders },
          null,
        ),
      );
      // A refresh answers tokens only; the account comes from /users/me with the new token.
      const user = await this.parse<Me>(await this.send(kMePath, {}, tokens.access_token));
      const session: AuthSession = { ...tokens, user };
      this.setSession(session);
      return session;
    } catch (error) {
      // A network failure says nothing about the session: keep the user signed in locally.
      if (error instanceof ApiError && error.isNetwork) throw error;
      this.setSession(null);
      return null;
    }
  }

  private async send(path: string, options: RequestOptions, token: string | null) {
    const headers = new Headers(options.headers);
    headers.set('Accept', 'application/json');
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const init: RequestInit = {
      method: options.method ?? 'GET',
      headers,
      body: encodeBody(options.body, headers),
      credentials: 'include',
      signal: options.signal ?? null,
    };
    if (!this.isOnline()) {
      throw new ApiError(0, { code: kOfflineCode, message: 'You are offline.' });
    }
    try {
      return await this.fetchFn(buildUrl(this.baseUrl, path, options.query), init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      const offline = !this.isOnline();
      throw new ApiError(0, {
        code: offline ? kOfflineCode : kNetworkErrorCode,
        message: offline ? 'You are offline.' : 'The server could not be reached.',
      });
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    return parseAnswer<T>(
      response.status,
      response.statusText,
      await response.text(),
      response.headers.get('X-Request-Id'),
    );
  }
}

/**
 * Turns a raw answer into its JSON value, or throws the ApiError it carries. Shared by fetch and
 * by XMLHttpRequest uploads (which need upload progress events that fetch lacks).
 */
export function parseAnswer<T>(
  status: number,
  statusText: string,
  text: string,
  requestIdHeader: string | null,
): T {
  const requestId = requestIdHeader ?? undefined;
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (status >= 200 && status < 300) {
    if (text && data === undefined) {
      throw new ApiError(status, {
        code: kBadResponseCode,
        message: 'The server sent an answer that is not JSON.',
        request_id: requestId,
      });
    }
    return data as T;
  }
  if (isEnvelope(data)) {
    throw new ApiError(status, { ...data.error, request_id: data.error.request_id ?? requestId });
  }
  throw new ApiError(status, {
    code: `http_${status}`,
    message: statusText || `The server answered ${status}.`,
    request_id: requestId,
  });
}
