import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { deleteTrack, putCover, updateTrack } from '../../api/tracks';
import type { Track } from '../../api/types';
import page from '../../app/Page.module.css';
import { Button, Dialog, describeError, toast } from '../../components';
import { usePlayer } from '../../player/store';
import { TrackForm } from './TrackForm';
import { formFromTrack, toTrackInput, type TrackFormValues } from './trackForm';

/** Edit, replace cover and delete, for the track's owner. */
export function OwnerActions({ track, home }: { track: Track; home: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState<TrackFormValues | null>(null);
  const [confirming, setConfirming] = useState(false);
  const coverRef = useRef<HTMLInputElement>(null);
  const store = (updated: Track) => {
    queryClient.setQueryData(['tracks', track.id], updated);
    void queryClient.invalidateQueries({ queryKey: ['tracks', 'latest'] });
  };

  const save = useMutation({
    mutationFn: (values: TrackFormValues) => updateTrack(track.id, toTrackInput(values)),
    onSuccess: (updated) => {
      store(updated);
      setEditing(null);
      toast(t('trackPage.saved'));
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteTrack(track.id),
    onSuccess: () => {
      const player = usePlayer.getState();
      for (const item of player.items) if (item.track.id === track.id) player.remove(item.key);
      queryClient.removeQueries({ queryKey: ['tracks', track.id] });
      void queryClient.invalidateQueries({ queryKey: ['tracks', 'latest'] });
      toast(t('trackPage.deleted'));
      void navigate(home);
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  const cover = useMutation({
    mutationFn: (file: File) => putCover(track.id, file),
    onSuccess: (updated) => {
      // The cover URL stays the same; a query string makes the browser fetch the new image.
      store(
        updated.cover_url ? { ...updated, cover_url: `${updated.cover_url}?v=${Date.now()}` } : updated,
      );
      toast(t('trackPage.coverUpdated'));
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  const fieldErrors = save.error instanceof ApiError ? save.error.fields : {};

  return (
    <div className={page.row}>
      <Button variant="secondary" onClick={() => setEditing(formFromTrack(track))}>
        {t('trackPage.edit')}
      </Button>
      <Button variant="secondary" loading={cover.isPending} onClick={() => coverRef.current?.click()}>
        {t('trackPage.replaceCover')}
      </Button>
      <input
        ref={coverRef}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) cover.mutate(file);
        }}
      />
      <Button variant="danger" onClick={() => setConfirming(true)}>
        {t('trackPage.delete')}
      </Button>
      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={t('trackPage.editTitle')}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>{t('common.cancel')}</Button>
            <Button
              variant="primary"
              loading={save.isPending}
              disabled={!editing?.title.trim()}
              onClick={() => editing && save.mutate(editing)}
            >
              {t('trackPage.save')}
            </Button>
          </>
        }
      >
        {editing && (
          <>
            <TrackForm
              values={editing}
              onChange={setEditing}
              errors={fieldErrors}
              disabled={save.isPending}
              detectedBpm={track.detected_bpm}
              detectedKey={track.detected_key}
            />
            {save.error && Object.keys(fieldErrors).length === 0 && (
              <p role="alert">{describeError(save.error, t).message}</p>
            )}
          </>
        )}
      </Dialog>
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t('trackPage.deleteTitle')}
        description={t('trackPage.deleteDescription', { title: track.title })}
        footer={
          <>
            <Button onClick={() => setConfirming(false)}>{t('common.cancel')}</Button>
            <Button variant="danger" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t('trackPage.delete')}
            </Button>
          </>
        }
      />
    </div>
  );
}
