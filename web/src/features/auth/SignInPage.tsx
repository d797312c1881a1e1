import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { login } from '../../api/auth';
import { ApiError } from '../../api/client';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input, toast } from '../../components';
import styles from './Auth.module.css';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';
import { OAuthButtons } from './OAuthButtons';
import { safeNext } from './redirect';
import { adoptAccountLanguage } from './session';
import { SecondFactorFields, secondFactorBody, type SecondFactorValue } from './SecondFactorFields';

/** Answers of /auth/login that mean the password was right and a second factor is needed. */
const kSecondFactorCodes = new Set(['totp_required', 'invalid_totp_code', 'invalid_recovery_code']);

export function SignInPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.signInTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [loginValue, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [secondFactor, setSecondFactor] = useState(false);
  const [factor, setFactor] = useState<SecondFactorValue>({ useRecovery: false, code: '' });
  const next = safeNext(params.get('next'));
  const mutation = useMutation({
    mutationFn: () =>
      login({ login: loginValue.trim(), password, ...(secondFactor ? secondFactorBody(factor) : {}) }),
    onError: (error) => {
      if (error instanceof ApiError && kSecondFactorCodes.has(error.code)) setSecondFactor(true);
    },
    onSuccess: (session) => {
      adoptAccountLanguage(session.user);
      toast(t('auth.welcome', { name: session.user.display_name || session.user.username }), 'success');
      navigate(next, { replace: true });
    },
  });
  const fields = fieldErrors(mutation.error);
  // totp_required is the step itself, not a failure worth an alert.
  const formError =
    mutation.error instanceof ApiError && mutation.error.code === 'totp_required' ? null : mutation.error;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };

  return (
    <div className={`${page.page} ${page.narrow}`}>
      <header className={page.header}>
        <h1>{t('auth.signInTitle')}</h1>
        {params.get('next') && <p className={page.subtitle}>{t('auth.required')}</p>}
      </header>
      <OAuthButtons next={next} />
      <form className={page.form} onSubmit={onSubmit}>
        <FormError error={formError} />
        <Input
          label={t('auth.login')}
          name="login"
          autoComplete="username"
          required
          value={loginValue}
          onChange={(e) => setLogin(e.target.value)}
          error={fields.login}
        />
        <Input
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields.password}
        />
        {secondFactor && <SecondFactorFields value={factor} onChange={setFactor} fields={fields} />}
        <Button type="submit" variant="primary" loading={mutation.isPending}>
          {t('auth.submitSignIn')}
        </Button>
      </form>
      <p className={`${page.muted} ${styles.links}`}>
        <Link to="/forgot-password">{t('account.forgotLink')}</Link>
        <span>
          {t('auth.noAccount')} <Link to={`/signup${window.location.search}`}>{t('nav.signUp')}</Link>
        </span>
      </p>
    </div>
  );
}
