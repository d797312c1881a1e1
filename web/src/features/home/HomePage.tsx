import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { listLatestTracks } from '../../api/tracks';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, EmptyState, ErrorState, LinkButton } from '../../components';
import { MusicIcon } from '../../components/icons';
import { TrackGrid, TrackGridSkeleton } from '../tracks/TrackGrid';

export function HomePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('home.title'));
  const query = useInfiniteQuery({
    queryKey: ['tracks', 'latest'],
    queryFn: ({ pageParam, signal }) => listLatestTracks(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const tracks = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className={page.page}>
      <header className={page.header}>
        <h1>{t('home.title')}</h1>
        <p className={page.subtitle}>{t('home.subtitle')}</p>
      </header>
      {query.isPending ? (
        <TrackGridSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : tracks.length === 0 ? (
        <EmptyState
          icon={<MusicIcon />}
          title={t('home.empty')}
          description={t('home.emptyDescription')}
          action={
            <LinkButton to="/upload" variant="primary">
              {t('home.uploadFirst')}
            </LinkButton>
          }
        />
      ) : (
        <>
          <TrackGrid tracks={tracks} />
          {query.hasNextPage && (
            <Button
              className={page.center}
              loading={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              {t('home.loadMore')}
            </Button>
          )}
        </>
      )}
    </div>
  );
}
