import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { fr } from './fr';

export const kLanguages = ['en', 'fr'] as const;
export type Language = (typeof kLanguages)[number];
const kStorageKey = 'veza.lang';

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (kLanguages as readonly string[]).includes(value);
}

/** Saved choice first, then the browser's preference, then English. */
export function initialLanguage(saved: string | null, preferred: readonly string[]): Language {
  if (isLanguage(saved)) return saved;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function savedLanguage(): string | null {
  try {
    return localStorage.getItem(kStorageKey);
  } catch {
    return null;
  }
}

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}

export function setLanguage(language: Language): void {
  localStorage.setItem(kStorageKey, language);
  void i18n.changeLanguage(language);
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: initialLanguage(savedLanguage(), typeof navigator === 'undefined' ? [] : navigator.languages),
  fallbackLng: 'en',
  supportedLngs: kLanguages,
  interpolation: { escapeValue: false },
  returnNull: false,
});

export default i18n;
