import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Track } from '../../api/types';
import { uploadTrack } from '../../api/uploads';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, Input, describeError, toast } from '../../components';
import { CloseIcon, UploadIcon } from '../../components/icons';
import { RequireAuth } from '../auth/RequireAuth';
import { useSession } from '../auth/session';
import { trackPath } from '../tracks/links';
import { formatBytes, kAcceptAttribute, looksLikeAudio, titleFromFileName } from './files';
import styles from './UploadPage.module.css';

type UploadState =
  | { kind: 'pending' }
  | { kind: 'uploading'; percent: number }
  | { kind: 'done'; track: Track }
  | { kind: 'failed'; message: string };

interface UploadItem {
  id: number;
  file: File;
  title: string;
  state: UploadState;
}

let nextId = 1;

function UploadForm() {
  const { t } = useTranslation();
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const abortRef = useRef<AbortController | null>(null);

  const update = (id: number, patch: Partial<UploadItem>) =>
    setItems((list) => list.map((item) => (item.id === id ? { ...item, ...patch } : item)));

  const addFiles = (files: Iterable<File>) => {
    const accepted: UploadItem[] = [];
    for (const file of files) {
      if (!looksLikeAudio(file.name, file.type)) {
        toast(t('upload.notAudio', { name: file.name }), 'error');
        continue;
      }
      accepted.push({ id: nextId++, file, title: titleFromFileName(file.name), state: { kind: 'pending' } });
    }
    setItems((list) => [...list, ...accepted]);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addFiles(Array.from(event.dataTransfer.files));
  };

  const start = async () => {
    setBusy(true);
    const abort = new AbortController();
    abortRef.current = abort;
    for (const item of items) {
      if (item.state.kind !== 'pending' && item.state.kind !== 'failed') continue;
      update(item.id, { state: { kind: 'uploading', percent: 0 } });
      try {
        const track = await uploadTrack(
          item.file,
          item.title.trim() || titleFromFileName(item.file.name),
          ({ loaded, total }) =>
            update(item.id, {
              state: { kind: 'uploading', percent: total > 0 ? Math.floor((loaded / total) * 100) : 0 },
            }),
          abort.signal,
        );
        update(item.id, { state: { kind: 'done', track } });
      } catch (error) {
        if (abort.signal.aborted) break;
        update(item.id, { state: { kind: 'failed', message: describeError(error, t).message } });
      }
    }
    abortRef.current = null;
    setBusy(false);
  };

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
      </div>
      {items.length > 0 && (
        <section className={page.section} aria-label={t('upload.files')}>
          <ul className={styles.list}>
            {items.map((item) => (
              <li key={item.id} className={styles.item}>
                <div className={styles.itemHeader}>
                  <span className={styles.fileName}>
                    {item.file.name} · {formatBytes(item.file.size)}
                  </span>
                  {item.state.kind !== 'uploading' && item.state.kind !== 'done' && (
                    <Button
                      variant="ghost"
                      size="sm"
                      icon={<CloseIcon size={16} />}
                      aria-label={t('upload.remove', { name: item.file.name })}
                      disabled={busy}
                      onClick={() => setItems((list) => list.filter((i) => i.id !== item.id))}
                    />
                  )}
                </div>
                <Input
                  label={t('upload.titleField')}
                  value={item.title}
                  maxLength={200}
                  disabled={item.state.kind === 'uploading' || item.state.kind === 'done'}
                  onChange={(e) => update(item.id, { title: e.target.value })}
                />
                <UploadStatus state={item.state} />
              </li>
            ))}
          </ul>
          <div className={page.row}>
            <Button
              variant="primary"
              loading={busy}
              disabled={!items.some((i) => i.state.kind === 'pending' || i.state.kind === 'failed')}
              onClick={() => void start()}
            >
              {t('upload.start')}
            </Button>
            {busy && <Button onClick={() => abortRef.current?.abort()}>{t('common.cancel')}</Button>}
          </div>
        </section>
      )}
    </>
  );
}

function UploadStatus({ state }: { state: UploadState }) {
  const { t } = useTranslation();
  const username = useSession((s) => s.user?.username ?? null);
  switch (state.kind) {
    case 'pending':
      return <p className={page.muted}>{t('upload.pending')}</p>;
    case 'uploading':
      return (
        <div className={styles.progressRow}>
          <progress className={styles.progress} max={100} value={state.percent} />
          <span className={page.muted}>{t('upload.uploading', { percent: state.percent })}</span>
        </div>
      );
    case 'done':
      return (
        <p className={styles.done}>
          {t('upload.done')} ·{' '}
          <Link to={trackPath(username, state.track.title, state.track.id)}>
            {t('upload.open')}
          </Link>
        </p>
      );
    case 'failed':
      return (
        <p className={styles.failed} role="alert">
          {t('upload.failed')}: {state.message}
        </p>
      );
  }
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
