import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { listConnections, listOAuthProviders, startOAuthLink, unlinkConnection } from '../../api/account';
import page from '../../app/Page.module.css';
import { Button, describeError, EmptyState, ErrorState, Skeleton, toast } from '../../components';
import { FormError } from '../auth/FormError';
import { ProviderIcon } from '../profile/PlatformIcon';
import { SettingsSection } from './SettingsLayout';
import styles from './SettingsPage.module.css';

interface Row {
  name: string;
  displayName: string;
  connection?: { name: string; email: string; created_at: string };
  /** Configured here, so it can be linked (a connection may outlive its provider's config). */
  available: boolean;
}

export function ConnectionsSettings() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const providers = useQuery({ queryKey: ['oauth', 'providers'], queryFn: ({ signal }) => listOAuthProviders(signal) });
  const connections = useQuery({ queryKey: ['connections'], queryFn: ({ signal }) => listConnections(signal) });
  const [unlinkError, setUnlinkError] = useState<{ provider: string; error: unknown } | null>(null);

  const link = useMutation({
    mutationFn: (provider: string) => startOAuthLink(provider, '/settings/connections'),
    onSuccess: (url) => window.location.assign(url),
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  const unlink = useMutation({
    mutationFn: (provider: string) => unlinkConnection(provider),
    onMutate: () => setUnlinkError(null),
    onSuccess: (_, provider) => {
      toast(t('accountSettings.unlinked', { provider }), 'success');
      void queryClient.invalidateQueries({ queryKey: ['connections'] });
    },
    // The server says why (e.g. the last way to sign in): show it beside the row.
    onError: (error, provider) => setUnlinkError({ provider, error }),
  });

  const rows = new Map<string, Row>();
  for (const p of providers.data ?? []) rows.set(p.name, { name: p.name, displayName: p.display_name, available: true });
  for (const c of connections.data ?? []) {
    rows.set(c.provider, {
      name: c.provider,
      displayName: c.provider_display_name,
      connection: c,
      available: rows.get(c.provider)?.available ?? false,
    });
  }
  const error = providers.error ?? connections.error;

  return (
    <SettingsSection>
      <section className={page.section} aria-labelledby="settings-connections">
        <h2 id="settings-connections">{t('account.connectionsTitle')}</h2>
        <p className={page.muted}>{t('accountSettings.connectionsHint')}</p>
        {error ? (
          <ErrorState
            error={error}
            onRetry={() => {
              void providers.refetch();
              void connections.refetch();
            }}
          />
        ) : providers.isPending || connections.isPending ? (
          <Skeleton height="4rem" />
        ) : rows.size === 0 ? (
          <EmptyState title={t('accountSettings.noProviders')} description={t('accountSettings.noProvidersHint')} />
        ) : (
          <ul className={styles.list}>
            {[...rows.values()].map((row) => (
              <li key={row.name} className={styles.item}>
                <span className={styles.itemIcon}>
                  <ProviderIcon name={row.name} />
                </span>
                <div className={styles.itemBody}>
                  <span className={styles.itemTitle}>
                    {row.displayName}
                    {row.connection && (
                      <span className={`${styles.badge} ${styles.badgeGood}`}>{t('accountSettings.connected')}</span>
                    )}
                  </span>
                  {row.connection && (
                    <span className={page.muted}>
                      {[row.connection.name, row.connection.email].filter(Boolean).join(' · ')}
                    </span>
                  )}
                  {unlinkError?.provider === row.name && <FormError error={unlinkError.error} />}
                </div>
                {row.connection ? (
                  <Button
                    size="sm"
                    variant="danger"
                    loading={unlink.isPending && unlink.variables === row.name}
                    onClick={() => unlink.mutate(row.name)}
                  >
                    {t('accountSettings.unlink', { provider: row.displayName })}
                  </Button>
                ) : (
                  row.available && (
                    <Button size="sm" loading={link.isPending && link.variables === row.name} onClick={() => link.mutate(row.name)}>
                      {t('accountSettings.link', { provider: row.displayName })}
                    </Button>
                  )
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </SettingsSection>
  );
}
