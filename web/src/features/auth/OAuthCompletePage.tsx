import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { exchangeOAuthCode, listOAuthProviders } from '../../api/account';
import { ApiError } from '../../api/client';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Spinner, toast } from '../../components';
import styles from './Auth.module.css';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';
import { safeNext } from './redirect';
import { adoptAccountLanguage } from './session';
import { SecondFactorFields, secondFactorBody, type SecondFactorValue } from './SecondFactorFields';

/** `error` values of the callback redirect that have their own sentence. */
const kKnownErrors = new Set([
  'invalid_state',
  'access_denied',
  'temporarily_unavailable',
  'provider_error',
  'token_exchange_failed',
  'userinfo_failed',
  'email_required',
  'email_taken',
  'already_linked',
  'provider_already_linked',
  'server_error',
]);

const kSecondFactorCodes = new Set(['totp_required', 'invalid_totp_code', 'invalid_recovery_code']);

/**
 * Where the OAuth callback sends the browser: `code` (a one-time code traded for a session with
 * POST /auth/oauth/exchange), `linked=<provider>` after linking, or `error`.
 */
export function OAuthCompletePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('account.oauthTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const code = params.get('code');
  const linked = params.get('linked');
  const error = params.get('error');
  const providerName = params.get('provider') ?? linked ?? '';
  // The redirect names the provider by its id; people know it by its display name.
  const providers = useQuery({
    queryKey: ['oauth', 'providers'],
    queryFn: ({ signal }) => listOAuthProviders(signal),
    enabled: Boolean(error || linked),
    staleTime: 5 * 60_000,
  });
  const provider = providers.data?.find((p) => p.name === providerName)?.display_name ?? providerName;
  const next = safeNext(params.get('redirect'));
  const [secondFactor, setSecondFactor] = useState(false);
  const [factor, setFactor] = useState<SecondFactorValue>({ useRecovery: false, code: '' });
  const started = useRef(false);

  const exchange = useMutation({
    mutationFn: () => exchangeOAuthCode({ code: code ?? '', ...(secondFactor ? secondFactorBody(factor) : {}) }),
    onError: (e) => {
      if (e instanceof ApiError && kSecondFactorCodes.has(e.code)) setSecondFactor(true);
    },
    onSuccess: (session) => {
      adoptAccountLanguage(session.user);
      toast(t('auth.welcome', { name: session.user.display_name || session.user.username }), 'success');
      navigate(next, { replace: true });
    },
  });

  useEffect(() => {
    // The code is single use: a second effect run (StrictMode, re-render) must not spend it again.
    if (started.current) return;
    if (linked) {
      started.current = true;
      toast(t('account.linked', { provider }), 'success');
      navigate(next === '/' ? '/settings/connections' : next, { replace: true });
    } else if (code) {
      started.current = true;
      exchange.mutate();
    }
  }, [code, linked, next, navigate, t, exchange, provider]);

  if (error) {
    const message = kKnownErrors.has(error)
      ? t(`account.oauthErrors.${error}` as 'account.oauthErrors.server_error', { provider })
      : t('account.oauthErrors.server_error', { provider });
    return (
      <div className={`${page.page} ${page.narrow}`}>
        <header className={page.header}>
          <h1>{t('account.oauthFailed')}</h1>
        </header>
        <div className={page.formError} role="alert">
          <p>{message}</p>
        </div>
        <p className={styles.links}>
          <Link to="/signin">{t('nav.signIn')}</Link>
          <Link to="/settings/connections">{t('account.connectionsTitle')}</Link>
        </p>
      </div>
    );
  }

  if (!code) {
    return (
      <div className={`${page.page} ${page.narrow}`}>
        <header className={page.header}>
          <h1>{t('account.oauthTitle')}</h1>
        </header>
        {linked ? <Spinner label={t('common.loading')} /> : <p>{t('account.oauthMissing')}</p>}
      </div>
    );
  }

  const fields = fieldErrors(exchange.error);
  const formError = exchange.error instanceof ApiError && exchange.error.code === 'totp_required' ? null : exchange.error;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    exchange.mutate();
  };
  return (
    <div className={`${page.page} ${page.narrow}`}>
      <header className={page.header}>
        <h1>{t('account.oauthTitle')}</h1>
      </header>
      {secondFactor ? (
        <form className={page.form} onSubmit={onSubmit}>
          <FormError error={formError} />
          <SecondFactorFields value={factor} onChange={setFactor} fields={fields} />
          <Button type="submit" variant="primary" loading={exchange.isPending}>
            {t('auth.submitSignIn')}
          </Button>
        </form>
      ) : exchange.isError ? (
        <>
          <FormError error={exchange.error} />
          <Link to="/signin">{t('nav.signIn')}</Link>
        </>
      ) : (
        <Spinner label={t('account.oauthSigningIn')} />
      )}
    </div>
  );
}
