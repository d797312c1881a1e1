import { useRouteError } from 'react-router';
import page from '../../app/Page.module.css';
import { ErrorState } from '../../components';

/** Shown in place of a page that failed to load or render; the layout and player stay. */
export function RouteError() {
  const error = useRouteError();
  return (
    <div className={page.page}>
      <ErrorState error={error} onRetry={() => window.location.reload()} />
    </div>
  );
}
