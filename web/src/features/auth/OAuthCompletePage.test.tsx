// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../api/instance';
import { jsonResponse, renderRoute } from '../../test/render';
import { OAuthCompletePage } from './OAuthCompletePage';

afterEach(() => {
  vi.unstubAllGlobals();
  api.setSession(null);
});

const kSignIn = {
  user: { id: '1', username: 'ana', display_name: 'Ana' },
  access_token: 'tok-oauth',
  token_type: 'Bearer',
  expires_in: 900,
  session_id: 's-9',
};

describe('OAuthCompletePage', () => {
  it('trades the one-time code once, asks for the 2FA code, then goes to the redirect', async () => {
    const bodies: Record<string, string>[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        expect(url).toBe('/api/v1/auth/oauth/exchange');
        const body = JSON.parse(String(init.body)) as Record<string, string>;
        bodies.push(body);
        if (!body.totp_code) {
          return jsonResponse(401, { error: { code: 'totp_required', message: 'Enter your code.', request_id: 'r' } });
        }
        return jsonResponse(200, kSignIn);
      }),
    );
    const user = userEvent.setup();
    const { router } = renderRoute(<OAuthCompletePage />, '/oauth/complete?code=one-time&provider=spotify&redirect=%2Fupload', '/oauth/complete');
    const field = await screen.findByLabelText(/Authentication code/);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(field, '123456');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/upload'));
    expect(api.authorization()).toBe('Bearer tok-oauth');
    expect(bodies).toEqual([
      { code: 'one-time', session: 'cookie' },
      { code: 'one-time', totp_code: '123456', session: 'cookie' },
    ]);
  });

  it('explains a callback error in words, naming the provider, and spends no code', async () => {
    const fetchMock = vi.fn(async (url: string) => {
      expect(url).toBe('/api/v1/auth/oauth/providers');
      return jsonResponse(200, {
        items: [{ name: 'discord', display_name: 'Discord', start_url: '/api/v1/auth/oauth/discord/start' }],
        next_cursor: null,
      });
    });
    vi.stubGlobal('fetch', fetchMock);
    renderRoute(<OAuthCompletePage />, '/oauth/complete?error=access_denied&provider=discord', '/oauth/complete');
    expect(await screen.findByText('You declined the request at Discord. Nothing was changed.')).toBeInTheDocument();
    expect(fetchMock.mock.calls.every(([url]) => !String(url).includes('/exchange'))).toBe(true);
  });

  it('refuses an open redirect after sign-in', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, kSignIn)));
    const { router } = renderRoute(<OAuthCompletePage />, '/oauth/complete?code=c&redirect=%2F%2Fevil.example', '/oauth/complete');
    await waitFor(() => expect(router.state.location.pathname).toBe('/'));
  });
});
