import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { forgotPassword } from '../../api/account';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input } from '../../components';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';

/** Asks for a reset link. The server answers 202 either way, so the page never says whether the account exists. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('account.forgotTitle'));
  const [email, setEmail] = useState('');
  const mutation = useMutation({ mutationFn: () => forgotPassword(email.trim()) });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <div className={`${page.page} ${page.narrow}`}>
      <header className={page.header}>
        <h1>{t('account.forgotTitle')}</h1>
        <p className={page.subtitle}>{t('account.forgotSubtitle')}</p>
      </header>
      {mutation.isSuccess ? (
        <p role="status">{t('account.forgotSent', { email: email.trim() })}</p>
      ) : (
        <form className={page.form} onSubmit={onSubmit}>
          <FormError error={mutation.error} />
          <Input
            label={t('auth.email')}
            name="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fieldErrors(mutation.error).email}
          />
          <Button type="submit" variant="primary" loading={mutation.isPending}>
            {t('account.forgotSubmit')}
          </Button>
        </form>
      )}
      <p className={page.muted}>
        <Link to="/signin">{t('account.backToSignIn')}</Link>
      </p>
    </div>
  );
}
