import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../format';
import { usePlaybackStatus, usePlayer } from '../store';
import styles from './PlayerBar.module.css';

/** Range input: native keyboard support, with the seek committed when the user lets go. */
export function SeekBar({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const positionS = usePlaybackStatus((s) => s.positionS);
  const durationS = usePlaybackStatus((s) => s.durationS);
  const seek = usePlayer((s) => s.seek);
  const [scrub, setScrub] = useState<number | null>(null);
  const shown = scrub ?? positionS;
  const max = durationS > 0 ? durationS : 0;

  const commit = () => {
    if (scrub !== null) seek(scrub);
    setScrub(null);
  };

  return (
    <div className={styles.seek}>
      <span className={styles.time}>{formatTime(shown)}</span>
      <input
        type="range"
        className={styles.range}
        min={0}
        max={max}
        step={0.1}
        value={Math.min(shown, max)}
        disabled={disabled || max === 0}
        aria-label={t('player.seek')}
        aria-valuetext={t('player.seekValue', {
          position: formatTime(shown),
          duration: formatTime(durationS),
        })}
        style={{ '--progress': max > 0 ? `${(Math.min(shown, max) / max) * 100}%` : '0%' } as React.CSSProperties}
        onChange={(e) => setScrub(Number(e.target.value))}
        onPointerUp={commit}
        onKeyUp={commit}
        onBlur={commit}
      />
      <span className={styles.time}>{formatTime(durationS)}</span>
    </div>
  );
}
