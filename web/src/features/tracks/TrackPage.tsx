import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { getTrack } from '../../api/tracks';
import type { Track } from '../../api/types';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, ErrorState, Skeleton, toast } from '../../components';
import { MusicIcon, PauseIcon, PlayIcon } from '../../components/icons';
import { formatTime } from '../../player/format';
import { currentItem } from '../../player/queue';
import { usePlayer } from '../../player/store';
import { toPlayerTrack } from '../../player/types';
import { NotFoundPage } from '../errors/NotFoundPage';
import { trackIdFromSegment, usernameFromHandle } from './links';
import styles from './TrackPage.module.css';

function Details({ track }: { track: Track }) {
  const { t } = useTranslation();
  const rows: Array<[string, string]> = [];
  if (track.duration_ms) rows.push([t('track.duration'), formatTime(track.duration_ms / 1000)]);
  if (track.bpm) rows.push([t('track.bpm'), String(track.bpm)]);
  if (track.musical_key) rows.push([t('track.key'), track.musical_key]);
  if (track.genre) rows.push([t('track.genre'), track.genre]);
  if (rows.length === 0) return null;
  return (
    <dl className={styles.details} aria-label={t('track.details')}>
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function TrackView({ track }: { track: Track }) {
  const { t } = useTranslation();
  useDocumentTitle(track.title);
  const isCurrent = usePlayer((s) => currentItem(s)?.track.id === track.id);
  const playing = usePlayer((s) => s.wantsPlay) && isCurrent;
  const player = usePlayer.getState();
  const artist = track.owner.display_name || track.owner.username;
  const ready = track.status === 'ready';

  return (
    <div className={page.page}>
      <div className={styles.hero}>
        <div className={styles.cover}>
          {track.cover_url ? <img src={track.cover_url} alt="" /> : <MusicIcon size={56} />}
        </div>
        <div className={styles.info}>
          <h1>{track.title}</h1>
          <p>
            <Link to={`/@${track.owner.username}`}>{artist}</Link>
          </p>
          <div className={page.row}>
            <Button
              variant="primary"
              icon={playing ? <PauseIcon /> : <PlayIcon />}
              disabled={!ready}
              onClick={() =>
                isCurrent ? player.togglePlay() : player.playTracks([toPlayerTrack(track)], 0)
              }
            >
              {playing ? t('player.pause') : t('player.play')}
            </Button>
            <Button
              disabled={!ready}
              onClick={() => {
                player.addToQueue([toPlayerTrack(track)]);
                toast(t('track.added'));
              }}
            >
              {t('track.addToQueue')}
            </Button>
          </div>
          {track.status === 'processing' && <p className={page.muted}>{t('track.processing')}</p>}
          {track.status === 'failed' && <p className={styles.failed}>{t('track.failed')}</p>}
          {typeof track.play_count === 'number' && (
            <p className={page.muted}>{t('track.plays', { count: track.play_count })}</p>
          )}
        </div>
      </div>
      <Details track={track} />
      {track.tags && track.tags.length > 0 && (
        <ul className={styles.tags} aria-label={t('track.tags')}>
          {track.tags.map((tag) => (
            <li key={tag}>#{tag}</li>
          ))}
        </ul>
      )}
      {track.description && <p className={styles.description}>{track.description}</p>}
    </div>
  );
}

export function TrackPage() {
  const { t } = useTranslation();
  const { handle, track: segment } = useParams();
  const username = usernameFromHandle(handle);
  const id = segment ? trackIdFromSegment(segment) : null;
  const query = useQuery({
    queryKey: ['tracks', id],
    queryFn: ({ signal }) => getTrack(id!, signal),
    enabled: id !== null && username !== null,
  });

  if (!username || !id) return <NotFoundPage />;
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) {
      return <NotFoundPage description={t('notFound.track')} />;
    }
    return (
      <div className={page.page}>
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  }
  if (!query.data) {
    return (
      <div className={page.page} role="status" aria-label={t('common.loading')}>
        <div className={styles.hero}>
          <Skeleton className={styles.cover} height="auto" radius="var(--radius-lg)" />
          <div className={styles.info}>
            <Skeleton width="16rem" height="2rem" />
            <Skeleton width="8rem" />
          </div>
        </div>
      </div>
    );
  }
  return <TrackView track={query.data} />;
}
