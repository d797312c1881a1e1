import { useTranslation } from 'react-i18next';
import { Input, Select, TextArea } from '../../components';
import { kLicences, kVisibilities, type TrackFormValues } from './trackForm';
import styles from './TrackForm.module.css';

export interface TrackFormProps {
  values: TrackFormValues;
  onChange(values: TrackFormValues): void;
  /** Server field errors (snake_case keys as in the API). */
  errors?: Record<string, string>;
  disabled?: boolean;
  /** Hints next to BPM and key, e.g. what the analysis detected. */
  detectedBpm?: number | null;
  detectedKey?: string | null;
}

/** The metadata of one track, shared by the upload page and the edit dialog. */
export function TrackForm({ values, onChange, errors = {}, disabled, detectedBpm, detectedKey }: TrackFormProps) {
  const { t } = useTranslation();
  const set = <K extends keyof TrackFormValues>(key: K, value: TrackFormValues[K]) =>
    onChange({ ...values, [key]: value });
  return (
    <div className={styles.form}>
      <Input
        label={t('trackForm.title')}
        value={values.title}
        required
        maxLength={200}
        disabled={disabled}
        error={errors.title}
        onChange={(e) => set('title', e.target.value)}
      />
      <div className={styles.row}>
        <Input
          label={t('trackForm.genre')}
          value={values.genre}
          maxLength={100}
          disabled={disabled}
          error={errors.genre}
          onChange={(e) => set('genre', e.target.value)}
        />
        <Input
          label={t('trackForm.tags')}
          hint={t('trackForm.tagsHint')}
          value={values.tags}
          disabled={disabled}
          error={errors.tags}
          onChange={(e) => set('tags', e.target.value)}
        />
      </div>
      <div className={styles.row}>
        <Input
          label={t('trackForm.bpm')}
          inputMode="decimal"
          value={values.bpm}
          disabled={disabled}
          error={errors.bpm}
          hint={detectedBpm ? t('trackForm.detected', { value: detectedBpm }) : undefined}
          onChange={(e) => set('bpm', e.target.value)}
        />
        <Input
          label={t('trackForm.key')}
          placeholder="A minor, 8A…"
          value={values.musicalKey}
          disabled={disabled}
          error={errors.musical_key}
          hint={detectedKey ? t('trackForm.detected', { value: detectedKey }) : undefined}
          onChange={(e) => set('musicalKey', e.target.value)}
        />
      </div>
      <TextArea
        label={t('trackForm.description')}
        value={values.description}
        maxLength={5000}
        rows={3}
        disabled={disabled}
        error={errors.description}
        onChange={(e) => set('description', e.target.value)}
      />
      <TextArea
        label={t('trackForm.lyrics')}
        hint={t('trackForm.lyricsHint')}
        value={values.lyrics}
        maxLength={20000}
        rows={4}
        disabled={disabled}
        error={errors.lyrics}
        onChange={(e) => set('lyrics', e.target.value)}
      />
      <div className={styles.row}>
        <Select
          label={t('trackForm.visibility')}
          value={values.visibility}
          disabled={disabled}
          options={kVisibilities.map((v) => ({ value: v, label: t(`trackForm.visibility_${v}`) }))}
          onChange={(e) => set('visibility', e.target.value as TrackFormValues['visibility'])}
        />
        <Select
          label={t('trackForm.licence')}
          value={values.licence}
          disabled={disabled}
          options={kLicences.map((l) => ({ value: l, label: t(`trackForm.licence_${l}`) }))}
          onChange={(e) => set('licence', e.target.value as TrackFormValues['licence'])}
        />
      </div>
      <div className={styles.checks}>
        <label className={styles.check}>
          <input
            type="checkbox"
            checked={values.downloadable}
            disabled={disabled}
            onChange={(e) => set('downloadable', e.target.checked)}
          />
          {t('trackForm.downloadable')}
        </label>
        <label className={styles.check}>
          <input
            type="checkbox"
            checked={values.explicit}
            disabled={disabled}
            onChange={(e) => set('explicit', e.target.checked)}
          />
          {t('trackForm.explicit')}
        </label>
      </div>
    </div>
  );
}
