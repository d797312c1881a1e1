import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { verifyEmail } from '../../api/account';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { LinkButton, Spinner } from '../../components';
import { CheckIcon } from '../../components/icons';
import styles from './Auth.module.css';
import { FormError } from './FormError';
import { useSession } from './session';

/** The mailed link lands here: the token is spent once, on arrival. */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('account.verifyTitle'));
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const signedIn = useSession((s) => s.status === 'signedIn');
  const started = useRef(false);
  const mutation = useMutation({
    mutationFn: () => verifyEmail(token),
    onSuccess: () => {
      const { user } = useSession.getState();
      if (user) useSession.setState({ user: { ...user, email_verified: true } });
    },
  });

  useEffect(() => {
    if (token && !started.current) {
      started.current = true;
      mutation.mutate();
    }
  }, [token, mutation]);

  return (
    <div className={`${page.page} ${page.narrow}`}>
      <header className={page.header}>
        <h1>{t('account.verifyTitle')}</h1>
      </header>
      <div className={styles.status}>
        {!token ? (
          <p>{t('account.verifyMissing')}</p>
        ) : mutation.isSuccess ? (
          <>
            <p role="status">
              <CheckIcon aria-hidden="true" /> {t('account.verifyDone')}
            </p>
            <LinkButton to={signedIn ? '/' : '/signin'} variant="primary">
              {signedIn ? t('notFound.home') : t('nav.signIn')}
            </LinkButton>
          </>
        ) : mutation.isError ? (
          <>
            <FormError error={mutation.error} />
            <p className={page.muted}>{t('account.verifyFailedHint')}</p>
            <LinkButton to={signedIn ? '/settings/security' : '/signin?next=%2Fsettings%2Fsecurity'}>
              {t('account.verifyResendLink')}
            </LinkButton>
          </>
        ) : (
          <Spinner label={t('account.verifying')} />
        )}
      </div>
    </div>
  );
}
