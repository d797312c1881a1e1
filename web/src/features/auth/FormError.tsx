import { useTranslation } from 'react-i18next';
import page from '../../app/Page.module.css';
import { describeError } from '../../components';

/** The form-level error: the envelope's message (field errors are shown on the fields). */
export function FormError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const { message, requestId } = describeError(error, t);
  return (
    <div className={page.formError} role="alert">
      <p>{message}</p>
      {requestId && (
        <p className={page.muted}>
          {t('errors.requestId')}: <code>{requestId}</code>
        </p>
      )}
    </div>
  );
}
