import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Track } from '../../api/types';
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
}

export function TrackCard({ track, list }: TrackCardProps) {
  const { t } = useTranslation();
  const isCurrent = usePlayer((s) => currentItem(s)?.track.id === track.id);
  const playing = usePlayer((s) => s.wantsPlay) && isCurrent;
  const player = usePlayer.getState();
  const ready = track.status === 'ready';
  const playable = list.filter((item) => item.status === 'ready');
  const artist = track.owner.display_name || track.owner.username;

  const onPlay = () => {
    if (isCurrent) return player.togglePlay();
    player.playTracks(playable.map(toPlayerTrack), playable.findIndex((item) => item.id === track.id));
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
        <Link className={styles.title} to={trackPath(track.owner.username, track.title, track.id)}>
          {track.title}
        </Link>
        <Link className={styles.artist} to={`/@${track.owner.username}`}>
          {artist}
        </Link>
        <p className={styles.meta}>
          {track.status === 'processing'
            ? t('track.processing')
            : track.status === 'failed'
              ? t('track.failed')
              : formatTime((track.duration_ms ?? 0) / 1000)}
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
              player.playNext([toPlayerTrack(track)]);
              toast(t('track.queuedNext'));
            },
          },
          {
            id: 'queue',
            label: t('track.addToQueue'),
            disabled: !ready,
            onSelect: () => {
              player.addToQueue([toPlayerTrack(track)]);
              toast(t('track.added'));
            },
          },
        ]}
      />
    </article>
  );
}
