import { useTranslation } from 'react-i18next';
import { Button } from './Button';
import { describeError } from './describeError';
import { AlertIcon, CopyIcon } from './icons';
import styles from './States.module.css';
import { toast } from './toast';

interface ErrorStateProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}

/** A failed load: what went wrong in the server's words, and the request id to report. */
export function ErrorState({ error, title, onRetry }: ErrorStateProps) {
  const { t } = useTranslation();
  const { message, requestId } = describeError(error, t);

  const copy = async () => {
    if (!requestId) return;
    try {
      await navigator.clipboard.writeText(requestId);
      toast(t('errors.copied'), 'success');
    } catch {
      toast(t('errors.copyFailed'), 'error');
    }
  };

  return (
    <div className={`${styles.state} ${styles.error}`} role="alert">
      <div className={styles.icon}>
        <AlertIcon size={28} />
      </div>
      <h2 className={styles.title}>{title ?? t('errors.title')}</h2>
      <p className={styles.description}>{message}</p>
      {requestId && (
        <p className={styles.requestId}>
          <span>{t('errors.requestId')}</span>
          <code>{requestId}</code>
          <Button
            variant="ghost"
            size="sm"
            icon={<CopyIcon size={16} />}
            aria-label={t('errors.copyRequestId')}
            onClick={() => void copy()}
          />
        </p>
      )}
      {onRetry && (
        <div className={styles.actions}>
          <Button variant="primary" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        </div>
      )}
    </div>
  );
}
