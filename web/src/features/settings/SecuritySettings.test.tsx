// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../api/instance';
import { jsonResponse, renderRoute } from '../../test/render';
import { TwoFactorPanel } from './SecuritySettings';

const kCodes = Array.from({ length: 10 }, (_, i) => `abcd-efgh-ijkl-mno${'abcdefghij'[i]}`);

afterEach(() => {
  vi.unstubAllGlobals();
  api.setSession(null);
});

/** A small in-memory /auth/2fa server: status, setup, enable (code 123456), disable. */
function fakeServer() {
  const state = { enabled: false, pending: false };
  const requests: { path: string; body: unknown }[] = [];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    const path = url.replace('/api/v1', '');
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ path, body });
    if (path === '/auth/2fa') return jsonResponse(200, { ...state, recovery_codes_left: state.enabled ? 10 : 0 });
    if (path === '/auth/2fa/setup') {
      state.pending = true;
      return jsonResponse(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Veza:ana', qr_svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' });
    }
    if (path === '/auth/2fa/enable') {
      if (body.code !== '123456') {
        return jsonResponse(422, { error: { code: 'invalid_code', message: 'Invalid.', fields: { code: 'is not the current code' }, request_id: 'r' } });
      }
      Object.assign(state, { enabled: true, pending: false });
      return jsonResponse(200, { recovery_codes: kCodes });
    }
    if (path === '/auth/2fa/disable') {
      state.enabled = false;
      return new Response(null, { status: 204 });
    }
    return jsonResponse(404, { error: { code: 'not_found', message: 'no', request_id: 'r' } });
  });
  return { state, requests, fetchMock };
}

describe('TwoFactorPanel', () => {
  it('sets up with the QR code and secret, refuses a wrong code beside the field, then shows the recovery codes once', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    const user = userEvent.setup();
    const fill = async (element: HTMLElement, text: string) => {
      await user.clear(element);
      await user.click(element);
      await user.paste(text);
    };
    renderRoute(<TwoFactorPanel username="ana" />);

    await user.click(await screen.findByRole('button', { name: 'Set up' }));
    const qr = await screen.findByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(screen.getByText('JBSWY3DPEHPK3PXP')).toBeInTheDocument();

    const code = screen.getByLabelText(/Authentication code/);
    await fill(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByText('is not the current code')).toBeInTheDocument();
    expect(code).toHaveAttribute('aria-invalid', 'true');

    await fill(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(server.requests.find((r) => r.path === '/auth/2fa/enable' && (r.body as { code: string }).code === '123456')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'I saved them' }));
    expect(await screen.findByText('Two-factor sign-in is on')).toBeInTheDocument();
    expect(screen.getByText('10 recovery codes left')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).toBeNull();
  });

  it('turns off with the password and a code', async () => {
    const server = fakeServer();
    server.state.enabled = true;
    vi.stubGlobal('fetch', server.fetchMock);
    const user = userEvent.setup();
    const fill = async (element: HTMLElement, text: string) => {
      await user.clear(element);
      await user.click(element);
      await user.paste(text);
    };
    renderRoute(<TwoFactorPanel username="ana" />);
    await user.click(await screen.findByRole('button', { name: 'Turn off' }));
    await fill(screen.getByLabelText(/^Password/), 'correct horse battery');
    await fill(screen.getByLabelText(/Authentication or recovery code/), '654321');
    await user.click(screen.getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Set up' })).toBeInTheDocument());
    expect(server.requests.find((r) => r.path === '/auth/2fa/disable')?.body).toEqual({
      password: 'correct horse battery',
      code: '654321',
    });
  });
});
