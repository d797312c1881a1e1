import { useTranslation } from 'react-i18next';
import { Button } from '../../components';
import { MuteIcon, VolumeIcon } from '../../components/icons';
import { usePlayer } from '../store';
import styles from './PlayerBar.module.css';

export function VolumeControl() {
  const { t } = useTranslation();
  const volume = usePlayer((s) => s.volume);
  const muted = usePlayer((s) => s.muted);
  const setVolume = usePlayer((s) => s.setVolume);
  const toggleMute = usePlayer((s) => s.toggleMute);
  const shown = muted ? 0 : volume;
  return (
    <div className={styles.volume}>
      <Button
        variant="ghost"
        size="sm"
        icon={muted || volume === 0 ? <MuteIcon /> : <VolumeIcon />}
        aria-label={muted ? t('player.unmute') : t('player.mute')}
        aria-pressed={muted}
        onClick={toggleMute}
      />
      <input
        type="range"
        className={`${styles.range} ${styles.volumeRange}`}
        min={0}
        max={1}
        step={0.01}
        value={shown}
        aria-label={t('player.volume')}
        aria-valuetext={`${Math.round(shown * 100)}%`}
        style={{ '--progress': `${shown * 100}%` } as React.CSSProperties}
        onChange={(e) => setVolume(Number(e.target.value))}
      />
    </div>
  );
}
