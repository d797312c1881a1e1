import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { getTrack, getUser } from '../../api/tracks';
import type { Track, TrackOwner } from '../../api/types';
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

/** How often a processing track is read again until it is ready or failed. */
const kProcessingPollMs = 2000;

function TrackView({ track, owner }: { track: Track; owner: TrackOwner | null }) {
  const { t } = useTranslation();
  useDocumentTitle(track.title);
  const isCurrent = usePlayer((s) => currentItem(s)?.track.id === track.id);
  const playing = usePlayer((s) => s.wantsPlay) && isCurrent;
  const player = usePlayer.getState();
  const ready = track.status === 'ready';

  return (
    <div className={page.page}>
      <div className={styles.hero}>
        <div className={styles.cover}>
          {track.cover_url ? <img src={track.cover_url} alt="" /> : <MusicIcon size={56} />}
        </div>
        <div className={styles.info}>
          <h1>{track.title}</h1>
          {owner && (
            <p>
              <Link to={`/@${owner.username}`}>{owner.display_name || owner.username}</Link>
            </p>
          )}
          <div className={page.row}>
            <Button
              variant="primary"
              icon={playing ? <PauseIcon /> : <PlayIcon />}
              disabled={!ready}
              onClick={() =>
                isCurrent ? player.togglePlay() : player.playTracks([toPlayerTrack(track, owner)], 0)
              }
            >
              {playing ? t('player.pause') : t('player.play')}
            </Button>
            <Button
              disabled={!ready}
              onClick={() => {
                player.addToQueue([toPlayerTrack(track, owner)]);
                toast(t('track.added'));
              }}
            >
              {t('track.addToQueue')}
            </Button>
          </div>
          {track.status === 'processing' && (
            <p className={page.muted} role="status">
              {t('track.processing')} <progress max={100} value={track.progress.percent} aria-label={t('track.processing')} />
            </p>
          )}
          {track.status === 'failed' && (
            <p className={styles.failed}>
              {t('track.failed')}
              {track.status_message ? `: ${track.status_message}` : ''}
            </p>
          )}
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
  // `/tracks/:track` has no handle: the owner is then not shown (a track only carries user_id).
  const username = handle === undefined ? null : usernameFromHandle(handle);
  const id = segment ? trackIdFromSegment(segment) : null;
  const query = useQuery({
    queryKey: ['tracks', id],
    queryFn: ({ signal }) => getTrack(id!, signal),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'processing' ? kProcessingPollMs : false),
  });
  const profile = useQuery({
    queryKey: ['users', username],
    queryFn: ({ signal }) => getUser(username!, signal),
    enabled: username !== null,
  });

  if ((handle !== undefined && !username) || !id) return <NotFoundPage />;
  // The handle in the URL must be the track's owner.
  if (profile.data && query.data && profile.data.id !== query.data.user_id) {
    return <NotFoundPage description={t('notFound.track')} />;
  }
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
  const owner = username
    ? { username: profile.data?.username ?? username, display_name: profile.data?.display_name ?? '' }
    : null;
  return <TrackView track={query.data} owner={owner} />;
}
