import { useTranslation } from 'react-i18next';
import page from '../../app/Page.module.css';
import { Button, Input } from '../../components';
import styles from './Auth.module.css';

export interface SecondFactorValue {
  useRecovery: boolean;
  code: string;
}

/** The body fields a second factor adds to /auth/login or /auth/oauth/exchange. */
export function secondFactorBody({ useRecovery, code }: SecondFactorValue): {
  totp_code?: string;
  recovery_code?: string;
} {
  if (!code.trim()) return {};
  return useRecovery ? { recovery_code: code.trim() } : { totp_code: code.replace(/\s+/g, '') };
}

/** The 2FA step: a TOTP code, or a recovery code instead. */
export function SecondFactorFields({
  value,
  onChange,
  fields,
}: {
  value: SecondFactorValue;
  onChange(value: SecondFactorValue): void;
  fields: Record<string, string>;
}) {
  const { t } = useTranslation();
  const { useRecovery, code } = value;
  return (
    <fieldset className={styles.factor}>
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
        onChange={(e) => onChange({ useRecovery, code: e.target.value })}
        error={useRecovery ? fields.recovery_code : fields.totp_code}
      />
      <Button type="button" variant="ghost" size="sm" onClick={() => onChange({ useRecovery: !useRecovery, code: '' })}>
        {useRecovery ? t('auth.useTotp') : t('auth.useRecovery')}
      </Button>
    </fieldset>
  );
}
