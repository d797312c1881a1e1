import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useReducer, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  changePassword,
  disableTwoFactor,
  enableTwoFactor,
  getTwoFactor,
  requestEmailVerification,
  setupTwoFactor,
} from '../../api/account';
import type { Me } from '../../api/types';
import page from '../../app/Page.module.css';
import { Button, describeError, ErrorState, Input, Skeleton, toast } from '../../components';
import { fieldErrors } from '../auth/fieldErrors';
import { FormError } from '../auth/FormError';
import { useSession } from '../auth/session';
import { SettingsSection } from './SettingsLayout';
import styles from './SettingsPage.module.css';
import { recoveryCodesFile, twoFactorReducer, twoFactorView } from './twoFactorFlow';

function ChangePassword() {
  const { t } = useTranslation();
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);
  const mutation = useMutation({
    mutationFn: () => changePassword(form.current, form.next),
    onSuccess: () => {
      setForm({ current: '', next: '', confirm: '' });
      toast(t('accountSettings.passwordChanged'), 'success');
    },
  });
  const fields = fieldErrors(mutation.error);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(form.next !== form.confirm);
    if (form.next === form.confirm) mutation.mutate();
  };
  return (
    <form className={`${page.section} ${page.form}`} onSubmit={onSubmit} aria-labelledby="settings-password">
      <h2 id="settings-password">{t('accountSettings.changePassword')}</h2>
      <p className={page.muted}>{t('accountSettings.changePasswordHint')}</p>
      <FormError error={Object.keys(fields).length > 0 ? null : mutation.error} />
      <Input
        label={t('accountSettings.currentPassword')}
        name="current_password"
        type="password"
        autoComplete="current-password"
        required
        value={form.current}
        onChange={set('current')}
        error={fields.current_password}
      />
      <Input
        label={t('account.newPassword')}
        name="new_password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        hint={t('auth.passwordHint')}
        value={form.next}
        onChange={set('next')}
        error={fields.new_password}
      />
      <Input
        label={t('account.confirmPassword')}
        name="confirm_password"
        type="password"
        autoComplete="new-password"
        required
        value={form.confirm}
        onChange={set('confirm')}
        error={mismatch ? t('account.passwordMismatch') : null}
      />
      <div className={styles.actions}>
        <Button type="submit" variant="primary" loading={mutation.isPending}>
          {t('accountSettings.changePassword')}
        </Button>
      </div>
    </form>
  );
}

function EmailVerification({ user }: { user: Me }) {
  const { t } = useTranslation();
  const mutation = useMutation({
    mutationFn: requestEmailVerification,
    onSuccess: () => toast(t('accountSettings.verificationSent', { email: user.email }), 'success'),
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  return (
    <section className={page.section} aria-labelledby="settings-email">
      <h2 id="settings-email">{t('accountSettings.email')}</h2>
      <div className={styles.item}>
        <div className={styles.itemBody}>
          <span className={styles.itemTitle}>
            {user.email}
            <span className={`${styles.badge} ${user.email_verified ? styles.badgeGood : ''}`}>
              {user.email_verified ? t('accountSettings.verified') : t('accountSettings.unverified')}
            </span>
          </span>
          {!user.email_verified && <span className={page.muted}>{t('accountSettings.unverifiedHint')}</span>}
        </div>
        {!user.email_verified && (
          <Button size="sm" loading={mutation.isPending} onClick={() => mutation.mutate()}>
            {t('accountSettings.resendVerification')}
          </Button>
        )}
      </div>
    </section>
  );
}

function RecoveryCodes({ username, codes, onDone }: { username: string; codes: string[]; onDone(): void }) {
  const { t } = useTranslation();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      toast(t('accountSettings.codesCopied'), 'success');
    } catch {
      toast(t('errors.copyFailed'), 'error');
    }
  };
  const download = () => {
    const text = recoveryCodesFile(username, codes, t('accountSettings.codesFileHeading'));
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `veza-${username}-recovery-codes.txt`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <>
      <p role="status">{t('accountSettings.twoFactorEnabled')}</p>
      <p className={styles.warning}>{t('accountSettings.codesOnce')}</p>
      <ul className={styles.codes} aria-label={t('accountSettings.recoveryCodes')}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className={styles.actions}>
        <Button onClick={() => void copy()}>{t('accountSettings.copyCodes')}</Button>
        <Button onClick={download}>{t('accountSettings.downloadCodes')}</Button>
        <Button variant="primary" onClick={onDone}>
          {t('accountSettings.codesSaved')}
        </Button>
      </div>
    </>
  );
}

export function TwoFactorPanel({ username }: { username: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: ['2fa'], queryFn: ({ signal }) => getTwoFactor(signal) });
  const [flow, dispatch] = useReducer(twoFactorReducer, { step: 'idle' });
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['2fa'] });

  const setup = useMutation({
    mutationFn: setupTwoFactor,
    onSuccess: (answer) => {
      setCode('');
      dispatch({ type: 'setupStarted', setup: answer });
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  const enable = useMutation({
    mutationFn: () => enableTwoFactor(code.replace(/\s+/g, '')),
    onSuccess: (codes) => {
      dispatch({ type: 'enabled', codes });
      refresh();
    },
  });
  const disable = useMutation({
    mutationFn: () => disableTwoFactor({ password: password || undefined, code: code.trim() }),
    onSuccess: () => {
      dispatch({ type: 'disabled' });
      setPassword('');
      setCode('');
      toast(t('accountSettings.twoFactorDisabled'), 'success');
      refresh();
    },
  });

  const view = twoFactorView(status.data, flow);
  const onEnable = (event: FormEvent) => {
    event.preventDefault();
    enable.mutate();
  };
  const onDisable = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate();
  };
  const enableFields = fieldErrors(enable.error);
  const disableFields = fieldErrors(disable.error);

  return (
    <section className={page.section} aria-labelledby="settings-2fa">
      <h2 id="settings-2fa">{t('accountSettings.twoFactor')}</h2>
      {status.isError && <ErrorState error={status.error} onRetry={() => void status.refetch()} />}
      {view === 'loading' && !status.isError && <Skeleton height="2.5rem" />}
      {view === 'off' && (
        <div className={styles.item}>
          <div className={styles.itemBody}>
            <span className={styles.itemTitle}>
              {t('accountSettings.twoFactorOff')} <span className={styles.badge}>{t('accountSettings.off')}</span>
            </span>
            <span className={page.muted}>{t('accountSettings.twoFactorHint')}</span>
          </div>
          <Button variant="primary" loading={setup.isPending} onClick={() => setup.mutate()}>
            {t('accountSettings.twoFactorSetup')}
          </Button>
        </div>
      )}
      {view === 'setup' && flow.step === 'setup' && (
        <form className={page.form} onSubmit={onEnable}>
          <ol className={styles.consequences}>
            <li>{t('accountSettings.setupStep1')}</li>
            <li>{t('accountSettings.setupStep2')}</li>
          </ol>
          <div className={styles.qr}>
            <img
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(flow.setup.qr_svg)}`}
              alt={t('accountSettings.qrAlt')}
            />
            <div className={styles.itemBody}>
              <span className={page.muted}>{t('accountSettings.secretLabel')}</span>
              <code className={styles.secret} data-testid="totp-secret">
                {flow.setup.secret}
              </code>
            </div>
          </div>
          <FormError error={Object.keys(enableFields).length > 0 ? null : enable.error} />
          <Input
            label={t('auth.totpCode')}
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={enableFields.code}
          />
          <div className={styles.actions}>
            <Button onClick={() => dispatch({ type: 'cancelled' })}>{t('common.cancel')}</Button>
            <Button type="submit" variant="primary" loading={enable.isPending}>
              {t('accountSettings.twoFactorEnable')}
            </Button>
          </div>
        </form>
      )}
      {view === 'codes' && flow.step === 'codes' && (
        <RecoveryCodes username={username} codes={flow.codes} onDone={() => dispatch({ type: 'codesSaved' })} />
      )}
      {view === 'on' && status.data && (
        <div className={styles.item}>
          <div className={styles.itemBody}>
            <span className={styles.itemTitle}>
              {t('accountSettings.twoFactorOn')}{' '}
              <span className={`${styles.badge} ${styles.badgeGood}`}>{t('accountSettings.on')}</span>
            </span>
            <span className={page.muted}>
              {t('accountSettings.codesLeft', { count: status.data.recovery_codes_left })}
            </span>
          </div>
          <Button variant="danger" onClick={() => dispatch({ type: 'disableAsked' })}>
            {t('accountSettings.twoFactorDisable')}
          </Button>
        </div>
      )}
      {view === 'disable' && (
        <form className={page.form} onSubmit={onDisable}>
          <p>{t('accountSettings.disableHint')}</p>
          <FormError error={Object.keys(disableFields).length > 0 ? null : disable.error} />
          <Input
            label={t('auth.password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={disableFields.password}
          />
          <Input
            label={t('accountSettings.codeOrRecovery')}
            name="code"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={disableFields.code}
          />
          <div className={styles.actions}>
            <Button onClick={() => dispatch({ type: 'cancelled' })}>{t('common.cancel')}</Button>
            <Button type="submit" variant="danger" loading={disable.isPending}>
              {t('accountSettings.twoFactorDisable')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}

export function SecuritySettings() {
  const user = useSession((s) => s.user);
  return (
    <SettingsSection>
      {user && (
        <>
          <EmailVerification user={user} />
          <ChangePassword />
          <TwoFactorPanel username={user.username} />
        </>
      )}
    </SettingsSection>
  );
}
