import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listOAuthProviders } from '../../api/account';
import buttonStyles from '../../components/Button.module.css';
import { ProviderIcon } from '../profile/PlatformIcon';
import styles from './Auth.module.css';

/**
 * "Continue with …" for every provider the instance configured (GET /auth/oauth/providers). Plain
 * links: signing in needs no bearer token, and the start endpoint answers with the redirect.
 */
export function OAuthButtons({ next }: { next: string }) {
  const { t } = useTranslation();
  const query = useQuery({
    queryKey: ['oauth', 'providers'],
    queryFn: ({ signal }) => listOAuthProviders(signal),
    staleTime: 5 * 60_000,
  });
  const providers = query.data ?? [];
  if (providers.length === 0) return null;
  return (
    <div className={styles.oauth}>
      <ul className={styles.providers} aria-label={t('account.oauthProviders')}>
        {providers.map((provider) => (
          <li key={provider.name}>
            <a
              className={`${buttonStyles.button} ${buttonStyles.secondary} ${buttonStyles.md} ${buttonStyles.link} ${styles.provider}`}
              href={`${provider.start_url}?${new URLSearchParams({ redirect: next })}`}
            >
              <ProviderIcon name={provider.name} />
              {t('account.continueWith', { provider: provider.display_name })}
            </a>
          </li>
        ))}
      </ul>
      <p className={styles.divider}>
        <span>{t('account.or')}</span>
      </p>
    </div>
  );
}
