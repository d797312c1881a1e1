import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { login } from '../../api/auth';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input, toast } from '../../components';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';
import { safeNext } from './redirect';

export function SignInPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.signInTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [loginValue, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useMutation({
    mutationFn: () => login({ login: loginValue.trim(), password }),
    onSuccess: (session) => {
      toast(t('auth.welcome', { name: session.user.display_name || session.user.username }), 'success');
      navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  const fields = fieldErrors(mutation.error);

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
        <FormError error={mutation.error} />
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
