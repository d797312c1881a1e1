import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { endSession, listSessions, type Session } from '../../api/account';
import { logout } from '../../api/auth';
import page from '../../app/Page.module.css';
import { Button, describeError, ErrorState, Skeleton, toast } from '../../components';
import { GlobeIcon } from '../../components/icons';
import { currentLanguage } from '../../i18n';
import { SettingsSection } from './SettingsLayout';
import styles from './SettingsPage.module.css';

/** "Chrome on Linux", falling back to whatever part the server could parse from the User-Agent. */
export function sessionLabel(session: Pick<Session, 'browser' | 'os'>, unknown: string, on: (b: string, o: string) => string): string {
  const browser = session.browser && session.browser !== 'unknown' ? session.browser : '';
  const os = session.os && session.os !== 'unknown' ? session.os : '';
  if (browser && os) return on(browser, os);
  return browser || os || unknown;
}

function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function SessionRow({ session, onEnd, ending }: { session: Session; onEnd(): void; ending: boolean }) {
  const { t } = useTranslation();
  const label = sessionLabel(session, t('accountSettings.unknownDevice'), (browser, os) =>
    t('accountSettings.browserOn', { browser, os }),
  );
  return (
    <li className={styles.item} data-testid="session">
      <span className={styles.itemIcon}>
        <GlobeIcon />
      </span>
      <div className={styles.itemBody}>
        <span className={styles.itemTitle}>
          {label}
          <span className={styles.badge}>{t(`accountSettings.devices.${session.device}`)}</span>
          {session.current && (
            <span className={`${styles.badge} ${styles.badgeGood}`}>{t('accountSettings.thisDevice')}</span>
          )}
        </span>
        <span className={page.muted}>
          {t('accountSettings.sessionIp', { ip: session.ip || '—' })} ·{' '}
          {t('accountSettings.sessionCreated', { date: formatDate(session.created_at) })} ·{' '}
          {t('accountSettings.sessionSeen', { date: formatDate(session.last_seen_at) })}
        </span>
      </div>
      <Button size="sm" variant={session.current ? 'secondary' : 'danger'} loading={ending} onClick={onEnd}>
        {session.current ? t('nav.signOut') : t('accountSettings.endSession')}
      </Button>
    </li>
  );
}

export function SessionsSettings() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['sessions'], queryFn: ({ signal }) => listSessions(signal) });
  const sessions = query.data ?? [];
  const others = sessions.filter((s) => !s.current);

  const end = useMutation({
    mutationFn: async (session: Session) => {
      if (session.current) await logout();
      else await endSession(session.id);
      return session;
    },
    onSuccess: (session) => {
      if (session.current) {
        toast(t('auth.signedOut'));
        navigate('/');
        return;
      }
      toast(t('accountSettings.sessionEnded'), 'success');
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  // No endpoint ends "all but this one": logout-all would end this session too.
  const endOthers = useMutation({
    mutationFn: () => Promise.all(others.map((s) => endSession(s.id))),
    onSuccess: () => {
      toast(t('accountSettings.othersEnded'), 'success');
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
    onError: (error) => {
      toast(describeError(error, t).message, 'error');
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
  });

  return (
    <SettingsSection>
      <section className={page.section} aria-labelledby="settings-sessions">
        <h2 id="settings-sessions">{t('accountSettings.sessions')}</h2>
        <p className={page.muted}>{t('accountSettings.sessionsHint')}</p>
        {query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : query.isPending ? (
          <Skeleton height="4rem" />
        ) : (
          <ul className={styles.list} aria-label={t('accountSettings.sessions')}>
            {sessions.map((session) => (
              <SessionRow
                key={session.id}
                session={session}
                ending={end.isPending && end.variables?.id === session.id}
                onEnd={() => end.mutate(session)}
              />
            ))}
          </ul>
        )}
        <div className={styles.actions}>
          <Button variant="danger" disabled={others.length === 0} loading={endOthers.isPending} onClick={() => endOthers.mutate()}>
            {t('accountSettings.endOthers')}
          </Button>
        </div>
      </section>
    </SettingsSection>
  );
}
