import { create } from 'zustand';
import { persist } from 'zustand/middleware';

export type Theme = 'dark' | 'light';

interface ThemeState {
  theme: Theme;
  setTheme(theme: Theme): void;
  toggle(): void;
}

function apply(theme: Theme) {
  document.documentElement.dataset.theme = theme;
}

/** Dark by default; the choice is kept in localStorage and applied to <html data-theme>. */
export const useTheme = create<ThemeState>()(
  persist(
    (set, get) => ({
      theme: 'dark',
      setTheme: (theme) => set({ theme }),
      toggle: () => set({ theme: get().theme === 'dark' ? 'light' : 'dark' }),
    }),
    {
      name: 'veza.theme',
      partialize: (s) => ({ theme: s.theme }),
      merge: (persisted, current) => {
        const theme = (persisted as { theme?: unknown } | undefined)?.theme;
        return { ...current, theme: theme === 'light' ? 'light' : 'dark' };
      },
    },
  ),
);

apply(useTheme.getState().theme);
useTheme.subscribe((s) => apply(s.theme));
