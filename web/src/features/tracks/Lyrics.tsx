import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { usePlaybackStatus } from '../../player/store';
import { activeLyric, parseLrc } from './lrc';
import styles from './TrackPage.module.css';

/** Plain lyrics as written; LRC lyrics highlight the line being sung when this track plays. */
export function Lyrics({
  text,
  isCurrent,
  onSeek,
}: {
  text: string;
  isCurrent: boolean;
  onSeek(positionS: number): void;
}) {
  const { t } = useTranslation();
  const lines = useMemo(() => parseLrc(text), [text]);
  const positionS = usePlaybackStatus((s) => (isCurrent ? s.positionS : -1));
  const active = lines ? activeLyric(lines, positionS) : -1;
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const list = listRef.current;
    const line = active >= 0 ? list?.children[active] : null;
    if (!list || !(line instanceof HTMLElement)) return;
    // Scrolls the lyrics box only, never the page.
    list.scrollTo({ top: line.offsetTop - list.clientHeight / 2 + line.clientHeight / 2, behavior: 'smooth' });
  }, [active]);

  if (!lines) {
    return (
      <section className={styles.lyrics} aria-label={t('trackPage.lyrics')}>
        <h2>{t('trackPage.lyrics')}</h2>
        <p className={styles.plainLyrics}>{text}</p>
      </section>
    );
  }
  return (
    <section className={styles.lyrics} aria-label={t('trackPage.syncedLyrics')}>
      <h2>{t('trackPage.lyrics')}</h2>
      <ol ref={listRef} className={styles.syncedLyrics}>
        {lines.map((line, index) => (
          <li key={`${line.timeS}-${index}`} aria-current={index === active ? 'true' : undefined}>
            <button type="button" onClick={() => onSeek(line.timeS)}>
              {line.text || '♪'}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
