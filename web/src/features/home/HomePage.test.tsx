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

/** Tracks as the contract has them: the owner is only a user_id. */
function track(id: string, title: string, status: 'ready' | 'processing', durationMs: number) {
  return {
    id,
    user_id: '9',
    title,
    tags: [],
    visibility: 'public',
    downloadable: false,
    licence: 'all_rights_reserved',
    explicit: false,
    status,
    progress: { stage: status === 'ready' ? 'done' : 'processing', percent: status === 'ready' ? 100 : 40 },
    duration_ms: durationMs,
    original: {},
    play_count: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

describe('HomePage', () => {
  it('lists the latest tracks and plays from the clicked one', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(200, {
          items: [
            track('1', 'First', 'ready', 61_000),
            track('2', 'Second', 'processing', 0),
            track('3', 'Third', 'ready', 5_000),
          ],
          next_cursor: null,
        }),
      ),
    );
    const user = userEvent.setup();
    renderRoute(<HomePage />);
    expect(await screen.findByRole('link', { name: 'First' })).toHaveAttribute('href', '/tracks/first-1');
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
