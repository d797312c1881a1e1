// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderRoute } from '../../test/render';
import { usePlayer } from '../../player/store';
import { currentItem } from '../../player/queue';
import { HomePage } from './HomePage';

afterEach(() => {
  vi.unstubAllGlobals();
  usePlayer.getState().clear();
});

const owner = { id: '9', username: 'ana', display_name: 'Ana' };

describe('HomePage', () => {
  it('lists the latest tracks and plays from the clicked one', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(200, {
          items: [
            { id: '1', title: 'First', owner, status: 'ready', duration_ms: 61_000 },
            { id: '2', title: 'Second', owner, status: 'processing', duration_ms: null },
            { id: '3', title: 'Third', owner, status: 'ready', duration_ms: 5_000 },
          ],
          next_cursor: null,
        }),
      ),
    );
    const user = userEvent.setup();
    renderRoute(<HomePage />);
    expect(await screen.findByRole('link', { name: 'First' })).toHaveAttribute('href', '/@ana/first-1');
    expect(screen.getByText('1:01')).toBeInTheDocument();
    expect(screen.getByText('Processing…')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Play Second' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Play Third' }));
    const state = usePlayer.getState();
    expect(state.items.map((i) => i.track.id)).toEqual(['1', '3']);
    expect(currentItem(state)?.track.id).toBe('3');
    expect(state.wantsPlay).toBe(true);
  });

  it('shows the empty state', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { items: [], next_cursor: null })));
    renderRoute(<HomePage />);
    expect(await screen.findByText('No tracks yet')).toBeInTheDocument();
  });

  it('shows the server error with its request id', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(503, { error: { code: 'unavailable', message: 'Storage is down.', request_id: 'r-503' } }),
      ),
    );
    renderRoute(<HomePage />);
    expect(await screen.findByText('Storage is down.', {}, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByText('r-503')).toBeInTheDocument();
  });
});
