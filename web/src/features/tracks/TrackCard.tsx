import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Track, TrackOwner } from '../../api/types';
import { Button, Menu, toast } from '../../components';
import { MoreIcon, MusicIcon, PauseIcon, PlayIcon } from '../../components/icons';
import { formatTime } from '../../player/format';
import { currentItem } from '../../player/queue';
import { usePlayer } from '../../player/store';
import { toPlayerTrack } from '../../player/types';
import { trackPath } from './links';
import styles from './TrackCard.module.css';

interface TrackCardProps {
  track: Track;
  /** The list the card belongs to; playing a card queues the whole list from it. */
  list: readonly Track[];
  /** The owner of every track in the list, when known. */
  owner: TrackOwner | null;
}

export function TrackCard({ track, list, owner }: TrackCardProps) {
  const { t } = useTranslation();
  const isCurrent = usePlayer((s) => currentItem(s)?.track.id === track.id);
  const playing = usePlayer((s) => s.wantsPlay) && isCurrent;
  const player = usePlayer.getState();
  const ready = track.status === 'ready';
  const playable = list.filter((item) => item.status === 'ready');
  const toPlayer = (item: Track) => toPlayerTrack(item, owner);

  const onPlay = () => {
    if (isCurrent) return player.togglePlay();
    player.playTracks(playable.map(toPlayer), playable.findIndex((item) => item.id === track.id));
  };

  return (
    <article className={`${styles.card} ${isCurrent ? styles.current : ''}`}>
      <div className={styles.cover}>
        {track.cover_url ? <img src={track.cover_url} alt="" loading="lazy" /> : <MusicIcon size={32} />}
        <Button
          variant="primary"
          className={styles.play}
          icon={playing ? <PauseIcon /> : <PlayIcon />}
          aria-label={playing ? t('track.pause', { title: track.title }) : t('track.play', { title: track.title })}
          disabled={!ready}
          onClick={onPlay}
        />
      </div>
      <div className={styles.body}>
        <Link className={styles.title} to={trackPath(owner?.username ?? null, track.title, track.id)}>
          {track.title}
        </Link>
        {owner && (
          <Link className={styles.artist} to={`/@${owner.username}`}>
            {owner.display_name || owner.username}
          </Link>
        )}
        <p className={styles.meta}>
          {track.status === 'processing'
            ? t('track.processing')
            : track.status === 'failed'
              ? t('track.failed')
              : formatTime(track.duration_ms / 1000)}
        </p>
      </div>
      <Menu
        label={t('track.actions', { title: track.title })}
        icon={<MoreIcon size={18} />}
        size="sm"
        align="end"
        items={[
          {
            id: 'next',
            label: t('track.playNext'),
            disabled: !ready,
            onSelect: () => {
              player.playNext([toPlayer(track)]);
              toast(t('track.queuedNext'));
            },
          },
          {
            id: 'queue',
            label: t('track.addToQueue'),
            disabled: !ready,
            onSelect: () => {
              player.addToQueue([toPlayer(track)]);
              toast(t('track.added'));
            },
          },
        ]}
      />
    </article>
  );
}
