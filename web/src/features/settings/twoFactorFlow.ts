import type { TwoFactorSetup, TwoFactorStatus } from '../../api/account';

/**
 * Steps of the two-factor panel. The server's status says whether it is on; the flow adds what
 * only the browser knows: a setup in progress, and recovery codes that are shown once.
 */
export type TwoFactorFlow =
  | { step: 'idle' }
  | { step: 'setup'; setup: TwoFactorSetup }
  | { step: 'codes'; codes: string[] }
  | { step: 'disable' };

export type TwoFactorEvent =
  | { type: 'setupStarted'; setup: TwoFactorSetup }
  | { type: 'enabled'; codes: string[] }
  | { type: 'codesSaved' }
  | { type: 'disableAsked' }
  | { type: 'disabled' }
  | { type: 'cancelled' };

export function twoFactorReducer(flow: TwoFactorFlow, event: TwoFactorEvent): TwoFactorFlow {
  switch (event.type) {
    case 'setupStarted':
      return { step: 'setup', setup: event.setup };
    case 'enabled':
      // Codes replace the setup at once: the secret is no longer needed on screen.
      return flow.step === 'setup' ? { step: 'codes', codes: event.codes } : flow;
    case 'disableAsked':
      return flow.step === 'idle' ? { step: 'disable' } : flow;
    case 'codesSaved':
    case 'disabled':
    case 'cancelled':
      return { step: 'idle' };
  }
}

/** What the panel shows for a server status and the local flow. */
export type TwoFactorView = 'loading' | 'off' | 'setup' | 'codes' | 'on' | 'disable';

export function twoFactorView(status: TwoFactorStatus | undefined, flow: TwoFactorFlow): TwoFactorView {
  if (flow.step === 'codes') return 'codes';
  if (!status) return 'loading';
  if (flow.step === 'setup' && !status.enabled) return 'setup';
  if (flow.step === 'disable' && status.enabled) return 'disable';
  return status.enabled ? 'on' : 'off';
}

/** The text file offered for download: one code a line, with what they are for. */
export function recoveryCodesFile(username: string, codes: readonly string[], heading: string): string {
  return `${heading} (@${username})\n\n${codes.join('\n')}\n`;
}
