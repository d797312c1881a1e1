// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr } from './fr';
import i18n, { initialLanguage, setLanguage } from './index';

function keys(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`),
  );
}

describe('i18n', () => {
  it('French has every English key and no other', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
  });

  it('keeps the same interpolation variables in both languages', () => {
    const vars = (s: string) => (s.match(/{{\w+}}/g) ?? []).sort();
    const flat = (o: object, p = ''): Array<[string, string]> =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'string' ? [[`${p}${k}`, v] as [string, string]] : flat(v as object, `${p}${k}.`),
      );
    const frByKey = new Map(flat(fr));
    for (const [key, text] of flat(en)) expect(vars(frByKey.get(key)!), key).toEqual(vars(text));
  });

  it('picks the saved language, then the browser preference, then English', () => {
    expect(initialLanguage('fr', ['en-US'])).toBe('fr');
    expect(initialLanguage(null, ['de-DE', 'fr-CA'])).toBe('fr');
    expect(initialLanguage('xx', ['de'])).toBe('en');
  });

  it('switching persists the choice and updates <html lang>', async () => {
    setLanguage('fr');
    await Promise.resolve();
    expect(localStorage.getItem('veza.lang')).toBe('fr');
    expect(document.documentElement.lang).toBe('fr');
    expect(i18n.t('nav.home')).toBe('Accueil');
    setLanguage('en');
    expect(document.documentElement.lang).toBe('en');
  });
});
