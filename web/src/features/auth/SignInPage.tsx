import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { login } from '../../api/auth';
import { ApiError } from '../../api/client';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input, toast } from '../../components';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';
import { safeNext } from './redirect';

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
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: () => {
      const factor = !secondFactor || !code.trim()
        ? {}
        : useRecovery
          ? { recovery_code: code.trim() }
          : { totp_code: code.replace(/\s+/g, '') };
      return login({ login: loginValue.trim(), password, ...factor });
    },
    onError: (error) => {
      if (error instanceof ApiError && kSecondFactorCodes.has(error.code)) setSecondFactor(true);
    },
    onSuccess: (session) => {
      toast(t('auth.welcome', { name: session.user.display_name || session.user.username }), 'success');
      navigate(safeNext(params.get('next')), { replace: true });
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
        {secondFactor && (
          <fieldset className={page.form}>
            <legend>{t('auth.totpTitle')}</legend>
            {!useRecovery && <p className={page.muted}>{t('auth.totpHint')}</p>}
            <Input
              key={useRecovery ? 'recovery' : 'totp'}
              label={useRecovery ? t('auth.recoveryCode') : t('auth.totpCode')}
              name={useRecovery ? 'recovery_code' : 'totp_code'}
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={useRecovery ? fields.recovery_code : fields.totp_code}
            />
            <Button
              type="button"
              variant="ghost"
              size="sm"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setCode('');
              }}
            >
              {useRecovery ? t('auth.useTotp') : t('auth.useRecovery')}
            </Button>
          </fieldset>
        )}
        <Button type="submit" variant="primary" loading={mutation.isPending}>
          {t('auth.submitSignIn')}
        </Button>
      </form>
      <p className={page.muted}>
        {t('auth.noAccount')} <Link to={`/signup${window.location.search}`}>{t('nav.signUp')}</Link>
      </p>
    </div>
  );
}
