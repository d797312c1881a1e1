// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import '../i18n';
import { ErrorState } from './ErrorState';
import { useToasts } from './toast';

describe('ErrorState', () => {
  it('shows the envelope message and a copyable request id', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    const error = new ApiError(503, {
      code: 'unavailable',
      message: 'The database is not reachable.',
      request_id: 'req-7f3a',
    });
    render(<ErrorState error={error} />);
    expect(screen.getByRole('alert')).toHaveTextContent('The database is not reachable.');
    expect(screen.getByText('req-7f3a')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Copy request id' }));
    expect(writeText).toHaveBeenCalledWith('req-7f3a');
    expect(useToasts.getState().toasts.at(-1)?.message).toBe('Request id copied');
  });

  it('explains offline failures without a request id', () => {
    render(<ErrorState error={new ApiError(0, { code: 'offline', message: 'x' })} />);
    expect(screen.getByRole('alert')).toHaveTextContent('You are offline');
    expect(screen.queryByRole('button', { name: 'Copy request id' })).toBeNull();
  });

  it('offers a retry', async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    render(<ErrorState error={new Error('boom')} onRetry={onRetry} />);
    expect(screen.getByRole('alert')).toHaveTextContent('An unexpected error occurred.');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });
});
