import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { register } from '../../api/auth';
import { currentLanguage } from '../../i18n';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input, toast } from '../../components';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';
import { OAuthButtons } from './OAuthButtons';
import { safeNext } from './redirect';

export function SignUpPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('auth.signUpTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form, setForm] = useState({ email: '', username: '', display_name: '', password: '' });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const next = safeNext(params.get('next'));
  const mutation = useMutation({
    mutationFn: () =>
      register({
        email: form.email.trim(),
        username: form.username.trim(),
        password: form.password,
        display_name: form.display_name.trim() || undefined,
        // The account's language (mails, settings) starts as the one the page is shown in.
        language: currentLanguage(),
      }),
    onSuccess: (session) => {
      toast(t('auth.welcome', { name: session.user.display_name || session.user.username }), 'success');
      navigate(next, { replace: true });
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
        <h1>{t('auth.signUpTitle')}</h1>
      </header>
      <OAuthButtons next={next} />
      <form className={page.form} onSubmit={onSubmit}>
        <FormError error={mutation.error} />
        <Input
          label={t('auth.email')}
          name="email"
          type="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={set('email')}
          error={fields.email}
        />
        <Input
          label={t('auth.username')}
          name="username"
          autoComplete="username"
          required
          minLength={3}
          maxLength={30}
          pattern="[a-z0-9_.\-]{3,30}"
          hint={t('auth.usernameHint')}
          value={form.username}
          onChange={set('username')}
          error={fields.username}
        />
        <Input
          label={t('auth.displayName')}
          name="display_name"
          autoComplete="nickname"
          hint={t('auth.displayNameHint')}
          value={form.display_name}
          onChange={set('display_name')}
          error={fields.display_name}
        />
        <Input
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint={t('auth.passwordHint')}
          value={form.password}
          onChange={set('password')}
          error={fields.password}
        />
        <Button type="submit" variant="primary" loading={mutation.isPending}>
          {t('auth.submitSignUp')}
        </Button>
      </form>
      <p className={page.muted}>
        {t('auth.haveAccount')} <Link to={`/signin${window.location.search}`}>{t('nav.signIn')}</Link>
      </p>
    </div>
  );
}
