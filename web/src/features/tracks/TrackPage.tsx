import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { getTrack, getUser, ownerOf } from '../../api/tracks';
import type { Track, TrackOwner } from '../../api/types';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, ErrorState, Skeleton, toast } from '../../components';
import { MusicIcon, PauseIcon, PlayIcon } from '../../components/icons';
import { formatTime } from '../../player/format';
import { currentItem } from '../../player/queue';
import { usePlaybackStatus, usePlayer } from '../../player/store';
import { toPlayerTrack } from '../../player/types';
import { useSession } from '../auth/session';
import { NotFoundPage } from '../errors/NotFoundPage';
import { trackIdFromSegment, usernameFromHandle } from './links';
import { Lyrics } from './Lyrics';
import { OwnerActions } from './OwnerActions';
import styles from './TrackPage.module.css';
import { useWaveform } from './useWaveform';
import { Waveform } from './Waveform';

function Details({ track }: { track: Track }) {
  const { t } = useTranslation();
  const rows: Array<[string, string]> = [];
  if (track.duration_ms) rows.push([t('track.duration'), formatTime(track.duration_ms / 1000)]);
  const bpm = track.bpm ?? track.detected_bpm;
  if (bpm) rows.push([t('track.bpm'), String(bpm)]);
  const key = track.musical_key ?? track.detected_key;
  const camelot = track.musical_key ? track.camelot : track.detected_key_camelot;
  if (key) rows.push([t('track.key'), camelot ? `${key} · ${camelot}` : key]);
  if (track.genre) rows.push([t('track.genre'), track.genre]);
  rows.push([t('trackPage.licence'), t(`trackForm.licence_${track.licence}`)]);
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

function Processing({ track }: { track: Track }) {
  const { t } = useTranslation();
  const stage = t(`trackPage.stage_${track.progress.stage}`);
  return (
    <div className={styles.processing} role="status">
      <span>{t('trackPage.stageProgress', { stage, percent: track.progress.percent })}</span>
      <progress max={100} value={track.progress.percent} aria-label={t('track.processing')} />
    </div>
  );
}

function TrackWaveform({ track, onSeek }: { track: Track; onSeek(positionS: number): void }) {
  const { t } = useTranslation();
  const ready = track.status === 'ready';
  const peaks = useWaveform(track.id, ready);
  const isCurrent = usePlayer((s) => currentItem(s)?.track.id === track.id);
  const positionS = usePlaybackStatus((s) => (isCurrent ? s.positionS : 0));
  const durationS = track.duration_ms / 1000;
  return (
    <Waveform
      className={styles.waveform}
      peaks={peaks}
      positionS={positionS}
      durationS={durationS}
      disabled={!ready}
      onSeek={onSeek}
      label={t('trackPage.waveform', { title: track.title })}
      valueText={t('player.seekValue', { position: formatTime(positionS), duration: formatTime(durationS) })}
      bar={3}
      gap={1}
    />
  );
}

function TrackView({ track, owner }: { track: Track; owner: TrackOwner | null }) {
  const { t } = useTranslation();
  useDocumentTitle(track.title);
  const isCurrent = usePlayer((s) => currentItem(s)?.track.id === track.id);
  const playing = usePlayer((s) => s.wantsPlay) && isCurrent;
  const isOwner = useSession((s) => s.user?.id === track.user_id);
  const player = usePlayer.getState();
  const ready = track.status === 'ready';
  const seek = (positionS: number) => {
    if (!ready) return;
    if (isCurrent) {
      player.seek(positionS);
      if (!player.wantsPlay) player.play();
    } else {
      player.playTracks([toPlayerTrack(track, owner)], 0, positionS);
    }
  };

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
          {track.status === 'processing' && <Processing track={track} />}
          {track.status === 'failed' && (
            <p className={styles.failed} role="alert">
              {t('track.failed')}
              {track.status_message ? `: ${track.status_message}` : ''}
            </p>
          )}
          <p className={page.muted}>{t('track.plays', { count: track.play_count ?? 0 })}</p>
        </div>
      </div>
      <TrackWaveform track={track} onSeek={seek} />
      {isOwner && <OwnerActions track={track} home={owner ? `/@${owner.username}` : '/'} />}
      <Details track={track} />
      {track.tags && track.tags.length > 0 && (
        <ul className={styles.tags} aria-label={t('track.tags')}>
          {track.tags.map((tag) => (
            <li key={tag}>
              <Link to={`/tags/${encodeURIComponent(tag)}`}>#{tag}</Link>
            </li>
          ))}
        </ul>
      )}
      {track.description && <p className={styles.description}>{track.description}</p>}
      {track.lyrics && <Lyrics text={track.lyrics} isCurrent={isCurrent} onSeek={seek} />}
    </div>
  );
}

export function TrackPage() {
  const { t } = useTranslation();
  const { handle, track: segment } = useParams();
  const username = handle === undefined ? null : usernameFromHandle(handle);
  const id = segment ? trackIdFromSegment(segment) : null;
  const me = useSession((s) => s.user);
  const query = useQuery({
    queryKey: ['tracks', id],
    queryFn: ({ signal }) => getTrack(id!, signal),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.status === 'processing' ? kProcessingPollMs : false),
  });
  const embedded = query.data ? ownerOf(query.data) : null;
  // Servers that embed the owner in the track save this request.
  const profile = useQuery({
    queryKey: ['users', username],
    queryFn: ({ signal }) => getUser(username!, signal),
    enabled: username !== null && query.data !== undefined && embedded === null,
  });

  if ((handle !== undefined && !username) || !id) return <NotFoundPage />;
  // The handle in the URL must be the track's owner.
  const ownerId = embedded?.id || profile.data?.id;
  if (username && query.data && ownerId && ownerId !== query.data.user_id) {
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
  let owner: TrackOwner | null = embedded;
  if (!owner && username) {
    owner = { username: profile.data?.username ?? username, display_name: profile.data?.display_name ?? '' };
  }
  if (!owner && me && me.id === query.data.user_id) owner = { username: me.username, display_name: me.display_name ?? '' };
  return <TrackView track={query.data} owner={owner} />;
}
