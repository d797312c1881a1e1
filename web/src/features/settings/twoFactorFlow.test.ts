import { describe, expect, it } from 'vitest';
import { recoveryCodesFile, twoFactorReducer, twoFactorView, type TwoFactorFlow } from './twoFactorFlow';

const setup = { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Veza:ana', qr_svg: '<svg/>' };
const off = { enabled: false, pending: false, recovery_codes_left: 0 };
const on = { enabled: true, pending: false, recovery_codes_left: 10 };

describe('twoFactorReducer and twoFactorView', () => {
  it('walks off → setup → codes shown once → on', () => {
    let flow: TwoFactorFlow = { step: 'idle' };
    expect(twoFactorView(undefined, flow)).toBe('loading');
    expect(twoFactorView(off, flow)).toBe('off');
    flow = twoFactorReducer(flow, { type: 'setupStarted', setup });
    expect(twoFactorView({ ...off, pending: true }, flow)).toBe('setup');
    flow = twoFactorReducer(flow, { type: 'enabled', codes: ['aaaa-bbbb-cccc-dddd'] });
    // The status refetch says "on" before the user saved the codes: the codes stay on screen.
    expect(twoFactorView(on, flow)).toBe('codes');
    flow = twoFactorReducer(flow, { type: 'codesSaved' });
    expect(twoFactorView(on, flow)).toBe('on');
  });

  it('disables only from the on state and returns to off', () => {
    let flow: TwoFactorFlow = twoFactorReducer({ step: 'idle' }, { type: 'disableAsked' });
    expect(twoFactorView(on, flow)).toBe('disable');
    flow = twoFactorReducer(flow, { type: 'disabled' });
    expect(twoFactorView(off, flow)).toBe('off');
  });

  it('ignores events that do not fit the step', () => {
    const codes: TwoFactorFlow = { step: 'codes', codes: ['x'] };
    expect(twoFactorReducer(codes, { type: 'disableAsked' })).toBe(codes);
    expect(twoFactorReducer({ step: 'idle' }, { type: 'enabled', codes: ['x'] })).toEqual({ step: 'idle' });
    // A stale setup never shows once the server says it is on (enabled elsewhere).
    expect(twoFactorView(on, { step: 'setup', setup })).toBe('on');
    expect(twoFactorReducer({ step: 'setup', setup }, { type: 'cancelled' })).toEqual({ step: 'idle' });
  });

  it('writes one code a line under a heading', () => {
    expect(recoveryCodesFile('ana', ['a', 'b'], 'Veza recovery codes')).toBe('Veza recovery codes (@ana)\n\na\nb\n');
  });
});
