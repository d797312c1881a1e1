import { useTranslation } from 'react-i18next';
import { Link, NavLink, useNavigate } from 'react-router';
import { logout } from '../api/auth';
import { Button, LinkButton, Menu, Skeleton, toast } from '../components';
import { GlobeIcon, MoonIcon, SettingsIcon, SunIcon, UserIcon } from '../components/icons';
import { useSession } from '../features/auth/session';
import { currentLanguage, kLanguages, setLanguage } from '../i18n';
import { useTheme } from './theme';
import styles from './TopBar.module.css';

function LanguageMenu() {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <Menu
      label={t('nav.language')}
      icon={<GlobeIcon />}
      align="end"
      items={kLanguages.map((code) => ({
        id: code,
        label: t(`languages.${code}`),
        checked: code === language,
        onSelect: () => setLanguage(code),
      }))}
    />
  );
}

function AccountArea() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { status, user } = useSession();
  if (status === 'loading') return <Skeleton width="6rem" height="2rem" radius="var(--radius-md)" />;
  if (status === 'signedOut' || !user) {
    return (
      <LinkButton to="/signin" variant="primary" size="sm">
        {t('nav.signIn')}
      </LinkButton>
    );
  }
  return (
    <Menu
      label={t('nav.account')}
      icon={<UserIcon />}
      triggerContent={<span className={styles.username}>{user.display_name || user.username}</span>}
      align="end"
      items={[
        { id: 'profile', label: t('nav.profile'), onSelect: () => navigate(`/@${user.username}`) },
        { id: 'settings', label: t('nav.settings'), onSelect: () => navigate('/settings') },
        {
          id: 'signout',
          label: t('nav.signOut'),
          onSelect: () =>
            void logout().finally(() => {
              toast(t('auth.signedOut'));
              navigate('/');
            }),
        },
      ]}
    />
  );
}

export function TopBar() {
  const { t } = useTranslation();
  const theme = useTheme((s) => s.theme);
  const toggleTheme = useTheme((s) => s.toggle);
  const signedIn = useSession((s) => s.status === 'signedIn');
  const navClass = ({ isActive }: { isActive: boolean }) =>
    isActive ? `${styles.navLink} ${styles.active}` : styles.navLink;
  return (
    <header className={styles.bar}>
      <Link to="/" className={styles.logo} aria-label="Veza">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <span>Veza</span>
      </Link>
      <nav aria-label={t('nav.main')} className={styles.nav}>
        <NavLink to="/" end className={navClass}>
          {t('nav.home')}
        </NavLink>
        <NavLink to="/upload" className={navClass}>
          {t('nav.upload')}
        </NavLink>
      </nav>
      <div className={styles.actions}>
        <Button
          variant="ghost"
          className={styles.optional}
          icon={theme === 'dark' ? <SunIcon /> : <MoonIcon />}
          aria-label={theme === 'dark' ? t('nav.themeToLight') : t('nav.themeToDark')}
          onClick={toggleTheme}
        />
        <div className={styles.optional}>
          <LanguageMenu />
        </div>
        {!signedIn && (
          <Link to="/settings" className={styles.iconLink} aria-label={t('nav.settings')} title={t('nav.settings')}>
            <SettingsIcon />
          </Link>
        )}
        <AccountArea />
      </div>
    </header>
  );
}
