import { useTranslation } from 'react-i18next';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { EmptyState, LinkButton } from '../../components';
import { AlertIcon } from '../../components/icons';

export function NotFoundPage({ description }: { description?: string }) {
  const { t } = useTranslation();
  useDocumentTitle(t('notFound.title'));
  return (
    <div className={page.page}>
      <EmptyState
        headingLevel={1}
        icon={<AlertIcon />}
        title={t('notFound.title')}
        description={description ?? t('notFound.description')}
        action={
          <LinkButton to="/" variant="primary">
            {t('notFound.home')}
          </LinkButton>
        }
      />
    </div>
  );
}
