import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { deleteAccount, downloadExport } from '../../api/account';
import page from '../../app/Page.module.css';
import { Button, describeError, Dialog, Input, toast } from '../../components';
import { fieldErrors } from '../auth/fieldErrors';
import { FormError } from '../auth/FormError';
import { useSession } from '../auth/session';
import { SettingsSection } from './SettingsLayout';
import styles from './SettingsPage.module.css';

function DeleteAccount({ username }: { username: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const mutation = useMutation({
    mutationFn: () => deleteAccount(password),
    onSuccess: () => {
      toast(t('accountSettings.deleted'), 'success');
      navigate('/', { replace: true });
    },
  });
  const fields = fieldErrors(mutation.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  const close = () => {
    setOpen(false);
    setPassword('');
    mutation.reset();
  };
  return (
    <section className={`${page.section} ${styles.danger}`} aria-labelledby="settings-delete">
      <h2 id="settings-delete">{t('accountSettings.deleteTitle')}</h2>
      <p>{t('accountSettings.deleteIntro')}</p>
      <ul className={styles.consequences}>
        <li>{t('accountSettings.deleteSessions')}</li>
        <li>{t('accountSettings.deleteProfile')}</li>
        <li>{t('accountSettings.deleteUsername', { username })}</li>
        <li>{t('accountSettings.deleteUndo')}</li>
      </ul>
      <div className={styles.actions}>
        <Button variant="danger" onClick={() => setOpen(true)}>
          {t('accountSettings.deleteButton')}
        </Button>
      </div>
      <Dialog open={open} onClose={close} title={t('accountSettings.deleteConfirmTitle')} description={t('accountSettings.deleteConfirm')}>
        <form className={page.form} onSubmit={onSubmit}>
          <FormError error={Object.keys(fields).length > 0 ? null : mutation.error} />
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
          <div className={styles.actions}>
            <Button onClick={close}>{t('common.cancel')}</Button>
            <Button type="submit" variant="danger" loading={mutation.isPending} disabled={!password}>
              {t('accountSettings.deleteForever')}
            </Button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}

export function DataSettings() {
  const { t } = useTranslation();
  const user = useSession((s) => s.user);
  const exporting = useMutation({
    mutationFn: () => downloadExport(user?.username ?? 'account'),
    onSuccess: () => toast(t('accountSettings.exported'), 'success'),
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  return (
    <SettingsSection>
      <section className={page.section} aria-labelledby="settings-export">
        <h2 id="settings-export">{t('accountSettings.exportTitle')}</h2>
        <p className={page.muted}>{t('accountSettings.exportHint')}</p>
        <div className={styles.actions}>
          <Button loading={exporting.isPending} onClick={() => exporting.mutate()}>
            {t('accountSettings.exportButton')}
          </Button>
        </div>
      </section>
      {user && <DeleteAccount username={user.username} />}
    </SettingsSection>
  );
}
