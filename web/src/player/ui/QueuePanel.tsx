import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, EmptyState, Menu } from '../../components';
import { CloseIcon, DragIcon, MoreIcon, QueueIcon } from '../../components/icons';
import { cursor, itemsInPlayOrder } from '../queue';
import { usePlayer } from '../store';
import styles from './QueuePanel.module.css';

export function QueuePanel({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const state = usePlayer();
  const items = itemsInPlayOrder(state);
  const current = cursor(state);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const panelRef = useRef<HTMLElement>(null);

  // Focus moves into the panel when it opens; Esc closes it from anywhere.
  useEffect(() => {
    panelRef.current?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) onClose();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onClose]);

  const onDrop = (event: DragEvent, index: number) => {
    event.preventDefault();
    if (dragFrom !== null) state.move(dragFrom, index);
    setDragFrom(null);
    setDropAt(null);
  };

  return (
    <section ref={panelRef} tabIndex={-1} className={styles.panel} aria-label={t('player.queueTitle')}>
      <header className={styles.header}>
        <h2 className={styles.title}>{t('player.queueTitle')}</h2>
        {items.length > 0 && (
          <Button size="sm" variant="ghost" onClick={state.clear}>
            {t('player.clearQueue')}
          </Button>
        )}
        <Button size="sm" variant="ghost" icon={<CloseIcon />} aria-label={t('common.close')} onClick={onClose} />
      </header>
      {items.length === 0 ? (
        <EmptyState icon={<QueueIcon />} title={t('player.queueEmpty')} description={t('player.queueEmptyHint')} />
      ) : (
        <ol className={styles.list}>
          {items.map((item, index) => {
            const isCurrent = index === current;
            return (
              <li
                key={item.key}
                className={[
                  styles.row,
                  isCurrent ? styles.current : '',
                  dropAt === index && dragFrom !== index ? styles.dropTarget : '',
                ].join(' ')}
                aria-current={isCurrent || undefined}
                onDragOver={(e) => {
                  if (dragFrom === null) return;
                  e.preventDefault();
                  setDropAt(index);
                }}
                onDrop={(e) => onDrop(e, index)}
              >
                <span
                  className={styles.handle}
                  draggable
                  title={t('player.dragHandle', { title: item.track.title })}
                  onDragStart={(e) => {
                    e.dataTransfer.effectAllowed = 'move';
                    e.dataTransfer.setData('text/plain', item.key);
                    setDragFrom(index);
                  }}
                  onDragEnd={() => {
                    setDragFrom(null);
                    setDropAt(null);
                  }}
                >
                  <DragIcon size={16} />
                </span>
                <button type="button" className={styles.entry} onClick={() => state.jumpTo(item.key)}>
                  <span className={styles.entryTitle}>{item.track.title}</span>
                  <span className={styles.entryArtist}>
                    {isCurrent ? `${t('player.nowPlaying')} · ` : ''}
                    {item.track.artist}
                  </span>
                </button>
                <Menu
                  label={t('player.itemActions', { title: item.track.title })}
                  icon={<MoreIcon size={16} />}
                  size="sm"
                  align="end"
                  items={[
                    { id: 'now', label: t('player.playNow'), onSelect: () => state.jumpTo(item.key), disabled: isCurrent },
                    {
                      id: 'next',
                      label: t('track.playNext'),
                      disabled: isCurrent || index === current + 1,
                      onSelect: () => state.moveAfterCurrent(index),
                    },
                    { id: 'up', label: t('player.moveUp'), disabled: index === 0, onSelect: () => state.move(index, index - 1) },
                    {
                      id: 'down',
                      label: t('player.moveDown'),
                      disabled: index === items.length - 1,
                      onSelect: () => state.move(index, index + 1),
                    },
                    { id: 'remove', label: t('player.remove'), danger: true, onSelect: () => state.remove(item.key) },
                  ]}
                />
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
