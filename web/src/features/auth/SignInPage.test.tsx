// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../api/instance';
import { jsonResponse, renderRoute } from '../../test/render';
import { useSession } from './session';
import { SignInPage } from './SignInPage';

/** Answers the providers list (for the OAuth buttons) and hands every other request to `handler`. */
function withProviders(handler: (url: string, init: RequestInit) => Promise<Response>, providers: unknown[] = []) {
  const calls: [string, RequestInit][] = [];
  const mock = vi.fn(async (url: string, init: RequestInit) => {
    if (url === '/api/v1/auth/oauth/providers') return jsonResponse(200, { items: providers, next_cursor: null });
    calls.push([url, init]);
    return handler(url, init);
  });
  return { mock, calls };
}

afterEach(() => {
  vi.unstubAllGlobals();
  api.setSession(null);
});

describe('SignInPage', () => {
  it('posts the credentials for a cookie session and shows the envelope on failure', async () => {
    const { mock, calls } = withProviders(async () =>
      jsonResponse(401, {
        error: { code: 'invalid_credentials', message: 'Wrong email, username or password.', request_id: 'r-9' },
      }),
    );
    vi.stubGlobal('fetch', mock);
    const user = userEvent.setup();
    renderRoute(<SignInPage />, '/signin');
    await user.type(screen.getByLabelText(/Email or username/), ' ana ');
    await user.type(screen.getByLabelText(/Password/), 'not-my-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('Wrong email, username or password.')).toBeInTheDocument();
    expect(screen.getByText('r-9')).toBeInTheDocument();
    // A failed login must not trigger the silent refresh.
    expect(calls).toHaveLength(1);
    const [url, init] = calls[0]!;
    expect(url).toBe('/api/v1/auth/login');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({ login: 'ana', password: 'not-my-password', session: 'cookie' });
  });

  it('signs in and goes to the requested page', async () => {
    vi.stubGlobal(
      'fetch',
      withProviders(async () =>
        jsonResponse(200, {
          user: { id: '1', username: 'ana', display_name: 'Ana' },
          access_token: 'tok',
          token_type: 'Bearer',
          expires_in: 900,
          session_id: 's-1',
        }),
      ).mock,
    );
    const user = userEvent.setup();
    const { router } = renderRoute(<SignInPage />, '/signin?next=%2Fupload', '/signin');
    await user.type(screen.getByLabelText(/Email or username/), 'ana');
    await user.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/upload'));
    expect(useSession.getState()).toMatchObject({ status: 'signedIn', user: { username: 'ana' } });
    expect(api.authorization()).toBe('Bearer tok');
  });

  it('asks for the two-factor code after totp_required and sends it with the password', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      withProviders(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body)) as Record<string, string>;
        bodies.push(body);
        if (!body.totp_code) {
          return jsonResponse(401, {
            error: { code: 'totp_required', message: 'Enter your two-factor code.', request_id: 'r-1' },
          });
        }
        return jsonResponse(200, {
          user: { id: '1', username: 'ana', display_name: 'Ana' },
          access_token: 'tok2',
          token_type: 'Bearer',
          expires_in: 900,
          session_id: 's-2',
        });
      }).mock,
    );
    const user = userEvent.setup();
    renderRoute(<SignInPage />, '/signin');
    await user.type(screen.getByLabelText(/Email or username/), 'ana');
    await user.type(screen.getByLabelText(/Password/), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const codeField = await screen.findByLabelText(/Authentication code/);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(codeField, '123 456');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(api.authorization()).toBe('Bearer tok2'));
    expect(bodies).toEqual([
      { login: 'ana', password: 'correct horse battery', session: 'cookie' },
      { login: 'ana', password: 'correct horse battery', totp_code: '123456', session: 'cookie' },
    ]);
  });

  it('offers the configured providers, returning to the requested page afterwards', async () => {
    vi.stubGlobal(
      'fetch',
      withProviders(
        async () => jsonResponse(500, {}),
        [{ name: 'spotify', display_name: 'Spotify', start_url: '/api/v1/auth/oauth/spotify/start' }],
      ).mock,
    );
    renderRoute(<SignInPage />, '/signin?next=%2Fupload', '/signin');
    const link = await screen.findByRole('link', { name: 'Continue with Spotify' });
    expect(link).toHaveAttribute('href', '/api/v1/auth/oauth/spotify/start?redirect=%2Fupload');
  });

  it('shows no provider buttons when none is configured', async () => {
    const { mock } = withProviders(async () => jsonResponse(500, {}));
    vi.stubGlobal('fetch', mock);
    renderRoute(<SignInPage />, '/signin');
    await waitFor(() => expect(mock).toHaveBeenCalled());
    expect(screen.queryByRole('link', { name: /Continue with/ })).toBeNull();
    expect(screen.getByRole('link', { name: 'Forgot your password?' })).toHaveAttribute('href', '/forgot-password');
  });
});
