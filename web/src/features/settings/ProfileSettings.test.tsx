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
    // Paste rather than type: one input event per field keeps the test fast on a loaded machine.
    const fill = async (element: HTMLElement, text: string) => {
      await user.clear(element);
      await user.click(element);
      await user.paste(text);
    };
    renderRoute(<ProfileSettings />);

    await fill(screen.getByLabelText('Bio'), 'Loops.');
    expect(screen.getByText('6 / 1000')).toBeInTheDocument();

    for (let i = 0; i < 3; i++) await user.click(screen.getByRole('button', { name: 'Add a link' }));
    // Row 1 stays blank: it is dropped, so the server's social_links[1] is row 3.
    await fill(screen.getByRole('textbox', { name: 'Link 2 (Website)' }), 'https://open.spotify.com/artist/x');
    expect(screen.getByRole('textbox', { name: 'Link 2 (Spotify)' })).toBeInTheDocument();
    await fill(screen.getByRole('textbox', { name: 'Link 3 (Website)' }), 'http://ana_b.bandcamp.com');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Use a secure link starting with https://')).toBeInTheDocument();
    expect(bodies).toHaveLength(0);

    const third = screen.getByRole('textbox', { name: 'Link 3 (Bandcamp)' });
    await fill(third, 'https://ana_b.bandcamp.com');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('must be a valid link')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Link 3 (Bandcamp)' })).toHaveAttribute('aria-invalid', 'true');
    expect(bodies[0]!.social_links).toEqual([
      { platform: 'spotify', url: 'https://open.spotify.com/artist/x' },
      { platform: 'bandcamp', url: 'https://ana_b.bandcamp.com' },
    ]);

    await fill(screen.getByRole('textbox', { name: 'Link 3 (Bandcamp)' }), 'https://anab.bandcamp.com');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(useSession.getState().user?.bio).toBe('Loops.'));
    expect(useToasts.getState().toasts.at(-1)?.message).toBe('Profile saved');
  });
});
