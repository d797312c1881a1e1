import { useTranslation } from 'react-i18next';
import { Outlet, ScrollRestoration, useNavigation } from 'react-router';
import { Toaster } from '../components';
import { usePlayerController, usePlayerShortcuts } from '../player/hooks';
import { PlayerBar } from '../player/ui/PlayerBar';
import styles from './Layout.module.css';
import { useOnline } from './online';
import { TopBar } from './TopBar';

/** The shell: top bar, the routed page, and the player bar that outlives every navigation. */
export function Layout() {
  const { t } = useTranslation();
  const online = useOnline();
  const navigation = useNavigation();
  usePlayerController();
  usePlayerShortcuts();
  return (
    <div className={styles.app}>
      <a href="#main" className={styles.skip}>
        {t('common.skipToContent')}
      </a>
      <TopBar />
      {navigation.state === 'loading' && <div className={styles.progress} aria-hidden="true" />}
      {!online && (
        <p className={styles.offline} role="status">
          {t('errors.offlineBanner')}
        </p>
      )}
      <main id="main" tabIndex={-1} className={styles.main}>
        <Outlet />
      </main>
      <PlayerBar />
      <Toaster />
      <ScrollRestoration />
    </div>
  );
}
