// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderRoute } from '../../test/render';
import { useSession } from '../auth/session';
import type { Me } from '../../api/types';
import { ConnectionsSettings } from './ConnectionsSettings';

beforeEach(() => {
  useSession.setState({ status: 'signedIn', user: { id: '1', username: 'ana' } as Me });
});

afterEach(() => {
  vi.unstubAllGlobals();
  useSession.setState({ status: 'signedOut', user: null });
});

describe('ConnectionsSettings', () => {
  it('lists providers, and shows the server’s reason beside a refused unlink', async () => {
    const deletes: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        if (url === '/api/v1/auth/oauth/providers') {
          return jsonResponse(200, {
            items: [
              { name: 'spotify', display_name: 'Spotify', start_url: '/api/v1/auth/oauth/spotify/start' },
              { name: 'discord', display_name: 'Discord', start_url: '/api/v1/auth/oauth/discord/start' },
            ],
            next_cursor: null,
          });
        }
        if (url === '/api/v1/users/me/connections') {
          return jsonResponse(200, {
            items: [
              {
                provider: 'spotify',
                provider_display_name: 'Spotify',
                name: 'Ana S',
                email: 'ana@example.com',
                created_at: '2026-01-01T00:00:00Z',
                last_used_at: '2026-01-02T00:00:00Z',
              },
            ],
            next_cursor: null,
          });
        }
        if (init.method === 'DELETE') {
          deletes.push(url);
          return jsonResponse(409, {
            error: {
              code: 'last_sign_in_method',
              message: 'This is your only way to sign in: set a password first.',
              request_id: 'r-5',
            },
          });
        }
        return jsonResponse(404, { error: { code: 'not_found', message: 'no', request_id: 'r' } });
      }),
    );
    const user = userEvent.setup();
    renderRoute(<ConnectionsSettings />);
    const spotify = (await screen.findByText('Ana S · ana@example.com')).closest('li')!;
    expect(within(spotify).getByText('Connected')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Link Discord' })).toBeInTheDocument();
    await user.click(within(spotify).getByRole('button', { name: 'Unlink Spotify' }));
    expect(await within(spotify).findByRole('alert')).toHaveTextContent(
      'This is your only way to sign in: set a password first.',
    );
    expect(deletes).toEqual(['/api/v1/users/me/connections/spotify']);
  });
});
