import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { resetPassword } from '../../api/account';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input, toast } from '../../components';
import { fieldErrors } from './fieldErrors';
import { FormError } from './FormError';

/** The mailed reset link lands here; a new password ends every session, so sign in again after. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('account.resetTitle'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const mutation = useMutation({
    mutationFn: () => resetPassword(token, password),
    onSuccess: () => {
      toast(t('account.resetDone'), 'success');
      navigate('/signin', { replace: true });
    },
  });
  const fields = fieldErrors(mutation.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    mutation.mutate();
  };
  return (
    <div className={`${page.page} ${page.narrow}`}>
      <header className={page.header}>
        <h1>{t('account.resetTitle')}</h1>
      </header>
      {!token ? (
        <p>
          {t('account.resetMissing')} <Link to="/forgot-password">{t('account.forgotLink')}</Link>
        </p>
      ) : (
        <form className={page.form} onSubmit={onSubmit}>
          <FormError error={mutation.error} />
          <Input
            label={t('account.newPassword')}
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            hint={t('auth.passwordHint')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.new_password}
          />
          <Input
            label={t('account.confirmPassword')}
            name="confirm_password"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={mismatch ? t('account.passwordMismatch') : null}
          />
          <Button type="submit" variant="primary" loading={mutation.isPending}>
            {t('account.resetSubmit')}
          </Button>
        </form>
      )}
    </div>
  );
}
