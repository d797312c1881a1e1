import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button, Spinner } from '../../components';
import {
  MusicIcon,
  NextIcon,
  PauseIcon,
  PlayIcon,
  PreviousIcon,
  QueueIcon,
  RepeatIcon,
  RepeatOneIcon,
  ShuffleIcon,
} from '../../components/icons';
import { trackPath } from '../../features/tracks/links';
import { currentItem } from '../queue';
import { usePlaybackStatus, usePlayer } from '../store';
import styles from './PlayerBar.module.css';
import { PictureInPicture } from './PictureInPicture';
import { QualityMenu } from './QualityMenu';
import { QueuePanel } from './QueuePanel';
import { SeekBar } from './SeekBar';
import { VolumeControl } from './VolumeControl';

function NowPlaying() {
  const { t } = useTranslation();
  const item = usePlayer(currentItem);
  if (!item) {
    return (
      <div className={styles.now}>
        <div className={styles.cover}>
          <MusicIcon />
        </div>
        <div className={styles.meta}>
          <span className={styles.title}>{t('player.nothing')}</span>
          <span className={styles.artist}>{t('player.nothingHint')}</span>
        </div>
      </div>
    );
  }
  const { track } = item;
  return (
    <div className={styles.now}>
      <div className={styles.cover}>
        {track.coverUrl ? <img src={track.coverUrl} alt="" width={48} height={48} /> : <MusicIcon />}
      </div>
      <div className={styles.meta}>
        <Link className={styles.title} to={trackPath(track.artistUsername, track.title, track.id)}>
          {track.title}
        </Link>
        {track.artistUsername && (
          <Link className={styles.artist} to={`/@${track.artistUsername}`}>
            {track.artist}
          </Link>
        )}
      </div>
    </div>
  );
}

function Transport() {
  const { t } = useTranslation();
  const hasTrack = usePlayer((s) => s.currentKey !== null);
  const wantsPlay = usePlayer((s) => s.wantsPlay);
  const shuffle = usePlayer((s) => s.shuffle);
  const repeat = usePlayer((s) => s.repeat);
  const actions = usePlayer.getState();
  const buffering = usePlaybackStatus((s) => s.buffering);
  const repeatLabel = {
    off: t('player.repeatOff'),
    all: t('player.repeatAll'),
    one: t('player.repeatOne'),
  }[repeat];
  return (
    <div className={styles.transport}>
      <Button
        variant="ghost"
        size="sm"
        icon={<ShuffleIcon size={18} />}
        aria-label={shuffle ? t('player.shuffleOn') : t('player.shuffleOff')}
        aria-pressed={shuffle}
        onClick={actions.toggleShuffle}
        className={styles.secondaryControl}
      />
      <Button
        variant="ghost"
        icon={<PreviousIcon />}
        aria-label={t('player.previous')}
        disabled={!hasTrack}
        onClick={actions.previous}
      />
      <Button
        variant="primary"
        className={styles.playButton}
        icon={
          wantsPlay && buffering ? (
            <Spinner size={20} label={t('player.buffering')} />
          ) : wantsPlay ? (
            <PauseIcon />
          ) : (
            <PlayIcon />
          )
        }
        aria-label={wantsPlay ? t('player.pause') : t('player.play')}
        disabled={!hasTrack}
        onClick={actions.togglePlay}
      />
      <Button
        variant="ghost"
        icon={<NextIcon />}
        aria-label={t('player.next')}
        disabled={!hasTrack}
        onClick={actions.next}
      />
      <Button
        variant="ghost"
        size="sm"
        icon={repeat === 'one' ? <RepeatOneIcon size={18} /> : <RepeatIcon size={18} />}
        aria-label={repeatLabel}
        aria-pressed={repeat !== 'off'}
        onClick={actions.cycleRepeat}
        className={styles.secondaryControl}
      />
    </div>
  );
}

/** The bottom bar; it lives in the layout so playback survives navigation. */
export function PlayerBar() {
  const { t } = useTranslation();
  const [queueOpen, setQueueOpen] = useState(false);
  const hasTrack = usePlayer((s) => s.currentKey !== null);
  const error = usePlaybackStatus((s) => s.error);
  const closeQueue = useCallback(() => setQueueOpen(false), []);
  return (
    <section className={styles.bar} aria-label={t('player.label')}>
      <NowPlaying />
      <div className={styles.center}>
        <Transport />
        <SeekBar disabled={!hasTrack} />
        {error && (
          <p className={styles.error} role="alert">
            {t('player.error', { message: error })}
          </p>
        )}
      </div>
      <div className={styles.side}>
        {hasTrack && (
          <PictureInPicture>
            <NowPlaying />
            <Transport />
          </PictureInPicture>
        )}
        <QualityMenu />
        <VolumeControl />
        <Button
          variant="ghost"
          size="sm"
          icon={<QueueIcon />}
          aria-label={t('player.queue')}
          aria-expanded={queueOpen}
          aria-pressed={queueOpen}
          onClick={() => setQueueOpen((open) => !open)}
        />
      </div>
      {queueOpen && <QueuePanel onClose={closeQueue} />}
    </section>
  );
}
