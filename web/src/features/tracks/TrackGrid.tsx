import { useTranslation } from 'react-i18next';
import type { Track, TrackOwner } from '../../api/types';
import { Skeleton } from '../../components';
import { TrackCard } from './TrackCard';
import styles from './TrackGrid.module.css';

/** `owner`: whose tracks these are, when the page knows (a profile); a track only has `user_id`. */
export function TrackGrid({ tracks, owner }: { tracks: readonly Track[]; owner?: TrackOwner | null }) {
  return (
    <div className={styles.grid}>
      {tracks.map((track) => (
        <TrackCard key={track.id} track={track} list={tracks} owner={owner ?? null} />
      ))}
    </div>
  );
}

export function TrackGridSkeleton({ count = 8 }: { count?: number }) {
  const { t } = useTranslation();
  return (
    <div className={styles.grid} role="status" aria-label={t('home.loadingTracks')}>
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className={styles.skeletonCard}>
          <Skeleton height="auto" className={styles.skeletonCover} radius="var(--radius-md)" />
          <Skeleton width="70%" />
          <Skeleton width="45%" height="0.8rem" />
        </div>
      ))}
    </div>
  );
}
