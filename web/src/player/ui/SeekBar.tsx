import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Waveform } from '../../features/tracks/Waveform';
import { useWaveform } from '../../features/tracks/useWaveform';
import { formatTime } from '../format';
import { currentItem } from '../queue';
import { usePlaybackStatus, usePlayer } from '../store';
import styles from './PlayerBar.module.css';

/**
 * The current track's mini waveform (click or drag to seek, arrows by 5 s); a range input
 * until its peaks arrive or when the track has none.
 */
export function SeekBar({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const positionS = usePlaybackStatus((s) => s.positionS);
  const durationS = usePlaybackStatus((s) => s.durationS);
  const seek = usePlayer((s) => s.seek);
  const track = usePlayer((s) => currentItem(s)?.track ?? null);
  const peaks = useWaveform(track?.id ?? null, true);
  const [scrub, setScrub] = useState<number | null>(null);
  const shown = scrub ?? positionS;
  const max = durationS > 0 ? durationS : 0;
  const valueText = t('player.seekValue', { position: formatTime(shown), duration: formatTime(durationS) });

  const commit = () => {
    if (scrub !== null) seek(scrub);
    setScrub(null);
  };

  return (
    <div className={styles.seek}>
      <span className={styles.time}>{formatTime(shown)}</span>
      {peaks && track ? (
        <Waveform
          className={styles.miniWave}
          peaks={peaks}
          positionS={positionS}
          durationS={max}
          disabled={disabled}
          onSeek={seek}
          label={t('player.seek')}
          valueText={valueText}
          bar={2}
          gap={1}
        />
      ) : (
        <input
          type="range"
          className={styles.range}
          min={0}
          max={max}
          step={0.1}
          value={Math.min(shown, max)}
          disabled={disabled || max === 0}
          aria-label={t('player.seek')}
          aria-valuetext={valueText}
          style={{ '--progress': max > 0 ? `${(Math.min(shown, max) / max) * 100}%` : '0%' } as React.CSSProperties}
          onChange={(e) => setScrub(Number(e.target.value))}
          onPointerUp={commit}
          onKeyUp={commit}
          onBlur={commit}
        />
      )}
      <span className={styles.time}>{formatTime(durationS)}</span>
    </div>
  );
}
