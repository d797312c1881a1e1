import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { listLatestTracks } from '../../api/tracks';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, EmptyState, ErrorState } from '../../components';
import { MusicIcon } from '../../components/icons';
import { TrackGrid, TrackGridSkeleton } from './TrackGrid';

/** Public tracks carrying one tag, newest first; "Load more" reads further pages. */
export function TagPage() {
  const { t } = useTranslation();
  const tag = (useParams().tag ?? '').toLowerCase();
  useDocumentTitle(`#${tag}`);
  const query = useInfiniteQuery({
    queryKey: ['tracks', 'tag', tag],
    queryFn: ({ pageParam, signal }) => listLatestTracks(pageParam, signal, tag),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const tracks = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className={page.page}>
      <header className={page.header}>
        <h1>{t('trackPage.taggedTitle', { tag })}</h1>
        <p className={page.subtitle}>{t('trackPage.taggedSubtitle')}</p>
      </header>
      {query.isPending ? (
        <TrackGridSkeleton />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : tracks.length === 0 ? (
        <EmptyState icon={<MusicIcon />} title={t('trackPage.taggedEmpty')} />
      ) : (
        <TrackGrid tracks={tracks} />
      )}
      {query.hasNextPage && (
        <Button className={page.center} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {t('home.loadMore')}
        </Button>
      )}
    </div>
  );
}
