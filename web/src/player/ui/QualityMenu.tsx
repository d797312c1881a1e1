import { useTranslation } from 'react-i18next';
import { Menu, type MenuItem } from '../../components';
import { bitrateLabel, levelForQuality } from '../quality';
import { usePlaybackStatus, usePlayer } from '../store';

/** Auto or a fixed rendition; shows what the ABR currently plays. */
export function QualityMenu() {
  const { t } = useTranslation();
  const quality = usePlayer((s) => s.quality);
  const setQuality = usePlayer((s) => s.setQuality);
  const levels = usePlaybackStatus((s) => s.levels);
  const currentLevel = usePlaybackStatus((s) => s.currentLevel);
  const nativeHls = usePlaybackStatus((s) => s.nativeHls);

  const current = levels.find((level) => level.index === currentLevel);
  const fixed = levelForQuality(levels, quality);
  const items: MenuItem[] = nativeHls
    ? [{ id: 'native', label: t('player.qualityNative'), checked: true, onSelect: () => undefined }]
    : [
        {
          id: 'auto',
          label: current
            ? t('player.qualityAutoCurrent', { current: bitrateLabel(current.bitrate) })
            : t('player.qualityAuto'),
          checked: quality === 'auto',
          onSelect: () => setQuality('auto'),
        },
        ...[...levels]
          .sort((a, b) => b.bitrate - a.bitrate)
          .map((level) => ({
            id: String(level.index),
            label: bitrateLabel(level.bitrate),
            checked: quality !== 'auto' && fixed === level.index,
            onSelect: () => setQuality(level.bitrate),
          })),
      ];

  const badge = quality === 'auto' ? t('player.qualityAuto') : bitrateLabel(quality);
  return (
    <Menu
      label={t('player.quality')}
      triggerContent={current ? bitrateLabel(current.bitrate) : badge}
      items={items}
      size="sm"
      align="end"
      placement="above"
    />
  );
}
