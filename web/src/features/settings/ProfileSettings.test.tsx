// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { useToasts } from '../../components';
import { jsonResponse, renderRoute } from '../../test/render';
import { useSession } from '../auth/session';
import { ProfileSettings } from './ProfileSettings';

const kMe = {
  id: '1',
  username: 'ana',
  display_name: 'Ana',
  bio: '',
  location: '',
  website: '',
  social_links: [],
  is_private: false,
  avatar_url: null,
  banner_url: null,
  language: 'en',
} as unknown as Me;

beforeEach(() => useSession.setState({ status: 'signedIn', user: kMe }));
afterEach(() => {
  vi.unstubAllGlobals();
  useSession.setState({ status: 'signedOut', user: null });
});

describe('ProfileSettings', () => {
  it('names each link’s platform, checks https before sending, and puts server errors on the right row', async () => {
    const bodies: Record<string, unknown>[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        const body = JSON.parse(String(init.body)) as Record<string, unknown>;
        bodies.push(body);
        if (bodies.length === 1) {
          return jsonResponse(422, {
            error: {
              code: 'validation_failed',
              message: 'Some fields are invalid.',
              fields: { 'social_links[1]': 'must be a valid link' },
              request_id: 'r-1',
            },
          });
        }
        return jsonResponse(200, { ...kMe, ...body });
      }),
    );
    const user = userEvent.setup();
    renderRoute(<ProfileSettings />);

    await user.type(screen.getByLabelText('Bio'), 'Loops.');
    expect(screen.getByText('6 / 1000')).toBeInTheDocument();

    for (let i = 0; i < 3; i++) await user.click(screen.getByRole('button', { name: 'Add a link' }));
    // Row 1 stays blank: it is dropped, so the server's social_links[1] is row 3.
    await user.type(screen.getByRole('textbox', { name: 'Link 2 (Website)' }), 'https://open.spotify.com/artist/x');
    expect(screen.getByRole('textbox', { name: 'Link 2 (Spotify)' })).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Link 3 (Website)' }), 'http://ana_b.bandcamp.com');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Use a secure link starting with https://')).toBeInTheDocument();
    expect(bodies).toHaveLength(0);

    const third = screen.getByRole('textbox', { name: 'Link 3 (Bandcamp)' });
    await user.clear(third);
    await user.type(third, 'https://ana_b.bandcamp.com');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('must be a valid link')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Link 3 (Bandcamp)' })).toHaveAttribute('aria-invalid', 'true');
    expect(bodies[0]!.social_links).toEqual([
      { platform: 'spotify', url: 'https://open.spotify.com/artist/x' },
      { platform: 'bandcamp', url: 'https://ana_b.bandcamp.com' },
    ]);

    await user.clear(screen.getByRole('textbox', { name: 'Link 3 (Bandcamp)' }));
    await user.type(screen.getByRole('textbox', { name: 'Link 3 (Website)' }), 'https://anab.bandcamp.com');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(useSession.getState().user?.bio).toBe('Loops.'));
    expect(useToasts.getState().toasts.at(-1)?.message).toBe('Profile saved');
  });
});
