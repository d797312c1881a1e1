import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation } from 'react-router';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { RequireAuth } from '../auth/RequireAuth';
import styles from './SettingsPage.module.css';

/** Sections of the settings, each its own route under /settings; all but the first need an account. */
export const kSettingsSections = [
  { path: '', key: 'general' },
  { path: 'profile', key: 'profile' },
  { path: 'security', key: 'security' },
  { path: 'sessions', key: 'sessions' },
  { path: 'connections', key: 'connections' },
  { path: 'data', key: 'data' },
] as const;

export function SettingsLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  const current =
    kSettingsSections.find((s) => s.path && location.pathname.startsWith(`/settings/${s.path}`)) ?? kSettingsSections[0];
  const sectionTitle = t(`accountSettings.sections.${current.key}`);
  useDocumentTitle(current.path ? `${sectionTitle} · ${t('settings.title')}` : t('settings.title'));
  return (
    <div className={`${page.page} ${styles.layout}`}>
      <header className={page.header}>
        <h1>{t('settings.title')}</h1>
      </header>
      <div className={styles.columns}>
        <nav aria-label={t('accountSettings.sectionsLabel')} className={styles.nav}>
          <ul>
            {kSettingsSections.map((section) => (
              <li key={section.key}>
                <NavLink
                  to={section.path ? `/settings/${section.path}` : '/settings'}
                  end
                  className={({ isActive }) => (isActive ? `${styles.navLink} ${styles.active}` : styles.navLink)}
                >
                  {t(`accountSettings.sections.${section.key}`)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className={styles.content}>
          <Outlet />
        </div>
      </div>
    </div>
  );
}

/** A section that needs an account (sign in first, then come back). */
export function SettingsSection({ children }: { children: ReactNode }) {
  return <RequireAuth>{children}</RequireAuth>;
}
