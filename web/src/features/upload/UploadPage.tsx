import { useCallback, useEffect, useReducer, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { createTrackFromUpload, getTrack, putCover, updateTrack } from '../../api/tracks';
import { serverHasTus, uploadTrack } from '../../api/uploads';
import type { Track } from '../../api/types';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, describeError, toast } from '../../components';
import { CloseIcon, UploadIcon } from '../../components/icons';
import { formatTime } from '../../player/format';
import { RequireAuth } from '../auth/RequireAuth';
import { useSession } from '../auth/session';
import { trackPath } from '../tracks/links';
import { TrackForm } from '../tracks/TrackForm';
import { toTrackInput, type TrackFormValues } from '../tracks/trackForm';
import { formatBytes, kAcceptAttribute, looksLikeAudio, titleFromFileName } from './files';
import { readFileTags } from './tags';
import { forgetUnfinished, listUnfinished, startTusUpload, type Transfer, type UnfinishedUpload } from './tus';
import {
  newEntry,
  secondsLeft,
  startable,
  transferSpeed,
  uploadsReducer,
  type UploadEntry,
} from './uploadQueue';
import styles from './UploadPage.module.css';

/** How often a processing track is read again. */
const kPollMs = 1500;

type Mode = 'tus' | 'multipart';

let nextId = 1;

/** Multipart text fields for the fallback upload (same meaning as the JSON body). */
function multipartFields(form: TrackFormValues): Record<string, string> {
  const input = toTrackInput(form);
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    fields[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return fields;
}

function sameFile(item: UnfinishedUpload, file: File): boolean {
  return item.fileName === file.name && (item.size === null || item.size === file.size);
}

function UploadForm() {
  const { t } = useTranslation();
  const [entries, dispatch] = useReducer(uploadsReducer, []);
  const [dragging, setDragging] = useState(false);
  const [mode, setMode] = useState<Mode | null>(null);
  const [unfinished, setUnfinished] = useState<UnfinishedUpload[]>([]);
  const inputRef = useRef<HTMLInputElement>(null);
  const transfers = useRef(new Map<number, Transfer | AbortController>());
  const latest = useRef(entries);
  latest.current = entries;
  const entryOf = (id: number) => latest.current.find((e) => e.id === id);

  useEffect(() => {
    let live = true;
    void serverHasTus().then(async (tus) => {
      if (!live) return;
      setMode(tus ? 'tus' : 'multipart');
      if (tus) setUnfinished(await listUnfinished().catch(() => []));
    });
    const running = transfers.current;
    return () => {
      live = false;
      // Leaving the page pauses tus uploads (they resume from the same offset later).
      for (const transfer of running.values()) {
        if (transfer instanceof AbortController) transfer.abort();
        else transfer.pause();
      }
    };
  }, []);

  const afterCreate = useCallback(
    async (id: number, track: Track) => {
      dispatch({ type: 'created', id, track });
      const cover = entryOf(id)?.cover;
      if (cover) {
        try {
          dispatch({ type: 'track', id, track: await putCover(track.id, cover) });
        } catch (error) {
          toast(describeError(error, t).message, 'error');
        }
      }
    },
    [t],
  );

  const fail = useCallback(
    (id: number, error: unknown) => {
      transfers.current.delete(id);
      dispatch({ type: 'failed', id, message: describeError(error, t).message });
    },
    [t],
  );

  const startOne = useCallback(
    async (entry: UploadEntry, how: Mode) => {
      const { id, file } = entry;
      dispatch({ type: 'start', id });
      if (how === 'multipart') {
        const abort = new AbortController();
        transfers.current.set(id, abort);
        try {
          const track = await uploadTrack(
            file,
            multipartFields(entryOf(id)?.form ?? entry.form),
            ({ loaded, total }) => dispatch({ type: 'progress', id, sent: loaded, total, atMs: performance.now() }),
            abort.signal,
          );
          transfers.current.delete(id);
          dispatch({ type: 'uploaded', id });
          await afterCreate(id, track);
        } catch (error) {
          if (!abort.signal.aborted) fail(id, error);
        }
        return;
      }
      try {
        const transfer = await startTusUpload(file, {
          onProgress: (sent, total) => dispatch({ type: 'progress', id, sent, total, atMs: performance.now() }),
          onError: (message) => fail(id, new Error(message)),
          onSuccess: (uploadId) => {
            transfers.current.delete(id);
            dispatch({ type: 'uploaded', id });
            const form = entryOf(id)?.form ?? entry.form;
            createTrackFromUpload({ ...toTrackInput(form), upload_id: uploadId })
              .then((track) => afterCreate(id, track))
              .catch((error: unknown) => fail(id, error));
          },
        });
        transfers.current.set(id, transfer);
      } catch (error) {
        fail(id, error);
      }
    },
    [afterCreate, fail],
  );

  // Processing progress: poll each processing track until it is ready or failed.
  const processing = entries.filter((e) => e.phase === 'processing' && e.track).map((e) => `${e.id}:${e.track!.id}`);
  const processingKey = processing.join(',');
  useEffect(() => {
    if (!processingKey) return;
    const timer = setInterval(() => {
      for (const pair of processingKey.split(',')) {
        const [id, trackId] = pair.split(':');
        getTrack(trackId!)
          .then((track) => dispatch({ type: 'track', id: Number(id), track }))
          .catch(() => undefined);
      }
    }, kPollMs);
    return () => clearInterval(timer);
  }, [processingKey]);

  const addFiles = (files: Iterable<File>) => {
    const accepted: UploadEntry[] = [];
    const resumed: UploadEntry[] = [];
    for (const file of files) {
      if (!looksLikeAudio(file.name, file.type)) {
        toast(t('upload.notAudio', { name: file.name }), 'error');
        continue;
      }
      const entry = newEntry(nextId++, file, titleFromFileName(file.name));
      accepted.push(entry);
      if (unfinished.some((u) => sameFile(u, file))) resumed.push(entry);
      readFileTags(file)
        .then((values) => dispatch({ type: 'tags', id: entry.id, values }))
        .catch(() => undefined);
    }
    dispatch({ type: 'add', entries: accepted });
    if (resumed.length > 0 && mode === 'tus') {
      setUnfinished((list) => list.filter((u) => !resumed.some((e) => sameFile(u, e.file))));
      for (const entry of resumed) void startOne(entry, 'tus');
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addFiles(Array.from(event.dataTransfer.files));
  };

  const startAll = () => {
    if (!mode) return;
    for (const entry of latest.current) if (startable(entry)) void startOne(entry, mode);
  };

  const pause = (id: number) => {
    const transfer = transfers.current.get(id);
    if (transfer && !(transfer instanceof AbortController)) {
      transfer.pause();
      dispatch({ type: 'pause', id });
    }
  };
  const resume = (id: number) => {
    const transfer = transfers.current.get(id);
    if (transfer && !(transfer instanceof AbortController)) {
      dispatch({ type: 'start', id });
      transfer.resume();
    }
  };
  const cancel = (id: number) => {
    const transfer = transfers.current.get(id);
    transfers.current.delete(id);
    if (transfer instanceof AbortController) transfer.abort();
    else if (transfer) void transfer.cancel();
    dispatch({ type: 'remove', id });
  };

  const busy = entries.some((e) => e.phase === 'uploading' || e.phase === 'creating');

  return (
    <>
      <div
        className={`${styles.dropzone} ${dragging ? styles.dragging : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <UploadIcon size={32} />
        <p>
          {t('upload.drop')}{' '}
          <button type="button" className={styles.choose} onClick={() => inputRef.current?.click()}>
            {t('upload.choose')}
          </button>
        </p>
        <input
          ref={inputRef}
          type="file"
          multiple
          accept={kAcceptAttribute}
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            addFiles(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
        {mode === 'multipart' && <p className={styles.note}>{t('uploadFlow.fallback')}</p>}
      </div>
      {unfinished.length > 0 && (
        <section className={styles.unfinished} aria-label={t('uploadFlow.unfinished')}>
          <h2>{t('uploadFlow.unfinished')}</h2>
          <p className={page.muted}>{t('uploadFlow.unfinishedHint')}</p>
          <ul>
            {unfinished.map((item) => (
              <li key={item.key}>
                <span className={styles.fileName}>
                  {item.fileName}
                  {item.size !== null && ` · ${formatBytes(item.size)}`}
                </span>
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => {
                    setUnfinished((list) => list.filter((u) => u.key !== item.key));
                    void forgetUnfinished(item);
                  }}
                >
                  {t('uploadFlow.forget')}
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {entries.length > 0 && (
        <section className={page.section} aria-label={t('upload.files')}>
          <ul className={styles.list}>
            {entries.map((entry) => (
              <UploadCard
                key={entry.id}
                entry={entry}
                mode={mode}
                dispatch={dispatch}
                onPause={() => pause(entry.id)}
                onResume={() => resume(entry.id)}
                onCancel={() => cancel(entry.id)}
              />
            ))}
          </ul>
          <div className={page.row}>
            <Button
              variant="primary"
              loading={busy}
              disabled={!mode || !entries.some(startable)}
              onClick={startAll}
            >
              {t('upload.start')}
            </Button>
          </div>
        </section>
      )}
    </>
  );
}

function TransferLine({ entry }: { entry: UploadEntry }) {
  const { t } = useTranslation();
  const speed = transferSpeed(entry.samples);
  const left = secondsLeft(entry.sent, entry.total, speed);
  const percent = entry.total > 0 ? Math.floor((entry.sent / entry.total) * 100) : 0;
  const parts: string[] = [
    t('uploadFlow.uploadedOf', { loaded: formatBytes(entry.sent), total: formatBytes(entry.total) }),
  ];
  if (entry.phase === 'paused') parts.push(t('uploadFlow.paused'));
  else {
    if (speed !== null) parts.push(t('uploadFlow.speed', { speed: formatBytes(Math.round(speed)) }));
    if (left !== null) parts.push(t('uploadFlow.timeLeft', { time: formatTime(Math.ceil(left)) }));
  }
  return (
    <div className={styles.progressRow}>
      <progress
        className={styles.progress}
        max={100}
        value={percent}
        aria-label={t('upload.uploading', { percent })}
      />
      <span className={`${page.muted} ${styles.figures}`}>
        {percent}% · {parts.join(' · ')}
      </span>
    </div>
  );
}

function StatusLine({ entry }: { entry: UploadEntry }) {
  const { t } = useTranslation();
  const username = useSession((s) => s.user?.username ?? null);
  const track = entry.track;
  if (entry.phase === 'creating') return <p className={page.muted}>{t('uploadFlow.creating')}</p>;
  if (entry.phase === 'processing' && track) {
    const stage = t(`trackPage.stage_${track.progress.stage}`);
    return (
      <div className={styles.progressRow} role="status">
        <progress className={styles.progress} max={100} value={track.progress.percent} aria-label={t('uploadFlow.processing')} />
        <span className={page.muted}>{t('trackPage.stageProgress', { stage, percent: track.progress.percent })}</span>
        <Link to={trackPath(username, track.title, track.id)}>{t('upload.open')}</Link>
      </div>
    );
  }
  if (entry.phase === 'ready' && track) {
    return (
      <p className={styles.done} role="status">
        {t('uploadFlow.ready')} · <Link to={trackPath(username, track.title, track.id)}>{t('upload.open')}</Link>
      </p>
    );
  }
  if (entry.phase === 'failed') {
    return (
      <p className={styles.failed} role="alert">
        {entry.processingFailed
          ? t('uploadFlow.failed', { reason: entry.error || t('track.failed') })
          : `${t('upload.failed')}: ${entry.error ?? ''}`}
      </p>
    );
  }
  if (entry.phase === 'queued') return <p className={page.muted}>{t('upload.pending')}</p>;
  return null;
}

function CoverPicker({ entry, onPick }: { entry: UploadEntry; onPick(file: File): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLInputElement>(null);
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => {
    if (!entry.cover) return setPreview(null);
    const url = URL.createObjectURL(entry.cover);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [entry.cover]);
  const shown = preview ?? entry.track?.cover_url ?? null;
  return (
    <div className={styles.cover}>
      <button
        type="button"
        className={styles.coverButton}
        aria-label={t('trackForm.chooseCover')}
        onClick={() => ref.current?.click()}
      >
        {shown ? <img src={shown} alt="" /> : <span>{t('trackForm.cover')}</span>}
      </button>
      <input
        ref={ref}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onPick(file);
        }}
      />
    </div>
  );
}

function UploadCard({
  entry,
  mode,
  dispatch,
  onPause,
  onResume,
  onCancel,
}: {
  entry: UploadEntry;
  mode: Mode | null;
  dispatch: React.Dispatch<Parameters<typeof uploadsReducer>[1]>;
  onPause(): void;
  onResume(): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const [saving, setSaving] = useState(false);
  const { id, track } = entry;
  const transferring = entry.phase === 'uploading' || entry.phase === 'paused';

  const save = async () => {
    if (!track) return;
    setSaving(true);
    try {
      dispatch({ type: 'track', id, track: await updateTrack(track.id, toTrackInput(entry.form)) });
      toast(t('uploadFlow.published'));
    } catch (error) {
      toast(describeError(error, t).message, 'error');
    } finally {
      setSaving(false);
    }
  };
  const pickCover = async (file: File) => {
    dispatch({ type: 'cover', id, cover: file });
    if (!track) return;
    try {
      dispatch({ type: 'track', id, track: await putCover(track.id, file) });
      toast(t('trackPage.coverUpdated'));
    } catch (error) {
      toast(describeError(error, t).message, 'error');
    }
  };

  return (
    <li className={styles.item} aria-label={entry.file.name}>
      <div className={styles.itemHeader}>
        <span className={styles.fileName}>
          {entry.file.name} · {formatBytes(entry.file.size)}
        </span>
        <div className={page.row}>
          {mode === 'tus' && entry.phase === 'uploading' && (
            <Button size="sm" onClick={onPause}>
              {t('uploadFlow.pause')}
            </Button>
          )}
          {entry.phase === 'paused' && (
            <Button size="sm" variant="primary" onClick={onResume}>
              {t('uploadFlow.resume')}
            </Button>
          )}
          {(entry.phase === 'queued' || transferring || (entry.phase === 'failed' && !track)) && (
            <Button
              variant="ghost"
              size="sm"
              icon={<CloseIcon size={16} />}
              aria-label={transferring ? t('uploadFlow.cancel') : t('upload.remove', { name: entry.file.name })}
              onClick={onCancel}
            />
          )}
        </div>
      </div>
      {transferring && <TransferLine entry={entry} />}
      <StatusLine entry={entry} />
      <div className={styles.editor}>
        <CoverPicker entry={entry} onPick={(file) => void pickCover(file)} />
        <div className={styles.formColumn}>
          {entry.fromTags && <p className={`${page.muted} ${styles.note}`}>{t('uploadFlow.readTags')}</p>}
          <TrackForm
            values={entry.form}
            onChange={(form) => dispatch({ type: 'form', id, form })}
            disabled={entry.phase === 'creating' || saving}
            detectedBpm={track?.detected_bpm}
            detectedKey={track?.detected_key}
          />
          {track && (
            <div className={page.row}>
              <Button loading={saving} disabled={!entry.form.title.trim()} onClick={() => void save()}>
                {t('uploadFlow.publish')}
              </Button>
            </div>
          )}
        </div>
      </div>
    </li>
  );
}

export function UploadPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('upload.title'));
  return (
    <div className={`${page.page} ${page.medium}`}>
      <header className={page.header}>
        <h1>{t('upload.title')}</h1>
        <p className={page.subtitle}>{t('upload.subtitle')}</p>
      </header>
      <RequireAuth>
        <UploadForm />
      </RequireAuth>
    </div>
  );
}
