import { create } from 'zustand';
import { api } from '../../api/instance';
import type { User } from '../../api/types';
import { currentLanguage, kLanguages, setLanguage, type Language } from '../../i18n';

function isLanguage(value: unknown): value is Language {
  return (kLanguages as readonly unknown[]).includes(value);
}

export type SessionStatus = 'loading' | 'signedIn' | 'signedOut';

interface SessionState {
  status: SessionStatus;
  user: User | null;
}

/** Who is signed in, mirrored from the API client's session events. */
export const useSession = create<SessionState>()(() => ({ status: 'loading', user: null }));

api.onSessionChange((session) =>
  useSession.setState(
    session ? { status: 'signedIn', user: session.user } : { status: 'signedOut', user: null },
  ),
);

/** On start the refresh cookie, if any, silently restores the session. */
export async function restoreSession(): Promise<void> {
  try {
    await api.refresh();
  } catch {
    // Unreachable server: nothing is known, so act signed out until the next request.
    useSession.setState({ status: 'signedOut', user: null });
  }
}

/** After the account changed (profile saved, image replaced), everything showing it follows. */
export function updateSessionUser(user: User): void {
  useSession.setState((state) => (state.status === 'signedIn' ? { user } : state));
}

/** On an explicit sign-in (a new device), the page follows the language saved to the account. */
export function adoptAccountLanguage(user: User): void {
  if (isLanguage(user.language) && user.language !== currentLanguage()) setLanguage(user.language);
}
