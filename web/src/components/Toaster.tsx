import { useTranslation } from 'react-i18next';
import { Button } from './Button';
import { CloseIcon } from './icons';
import { useToasts } from './toast';
import styles from './Toaster.module.css';

/** Live region for toasts; errors are announced assertively, the rest politely. */
export function Toaster() {
  const { t } = useTranslation();
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className={styles.region} aria-label={t('common.notifications')} role="region">
      {toasts.map((item) => (
        <div
          key={item.id}
          className={`${styles.toast} ${styles[item.kind]}`}
          role={item.kind === 'error' ? 'alert' : 'status'}
        >
          <span className={styles.message}>{item.message}</span>
          <Button
            variant="ghost"
            size="sm"
            icon={<CloseIcon size={16} />}
            aria-label={t('common.dismiss')}
            onClick={() => dismiss(item.id)}
          />
        </div>
      ))}
    </div>
  );
}
