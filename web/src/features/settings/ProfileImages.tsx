import { useMutation } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { deleteProfileImage, putProfileImage, type ProfileImageKind } from '../../api/account';
import { fetchMe } from '../../api/auth';
import type { Me } from '../../api/types';
import page from '../../app/Page.module.css';
import { Button, describeError, toast } from '../../components';
import buttonStyles from '../../components/Button.module.css';
import { UserIcon } from '../../components/icons';
import { updateSessionUser } from '../auth/session';
import { kAvatarCrop, kBannerCrop } from './crop';
import styles from './ImageCrop.module.css';
import { ImageCropDialog, loadImage } from './ImageCropDialog';

const kAccepted = 'image/jpeg,image/png,image/webp';

function ImageChooser({ kind, label, onImage }: { kind: ProfileImageKind; label: string; onImage(file: File): void }) {
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // The same file chosen twice in a row must fire change again.
    event.target.value = '';
    if (file) onImage(file);
  };
  return (
    <label className={`${buttonStyles.button} ${buttonStyles.secondary} ${buttonStyles.sm} ${styles.fileButton}`}>
      {label}
      <input type="file" accept={kAccepted} className="visually-hidden" name={kind} onChange={onChange} />
    </label>
  );
}

/** Avatar and banner: choose a file, crop it to the right shape in the browser, then PUT the crop. */
export function ProfileImages({ user }: { user: Me }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<{ kind: ProfileImageKind; image: HTMLImageElement } | null>(null);

  const choose = (kind: ProfileImageKind) => async (file: File) => {
    if (!kAccepted.split(',').includes(file.type)) {
      toast(t('accountSettings.imageType'), 'error');
      return;
    }
    try {
      setEditing({ kind, image: await loadImage(file) });
    } catch {
      toast(t('accountSettings.imageUnreadable'), 'error');
    }
  };

  const upload = useMutation({
    mutationFn: ({ kind, blob }: { kind: ProfileImageKind; blob: Blob }) => putProfileImage(kind, blob),
    onSuccess: (me, { kind }) => {
      updateSessionUser(me);
      setEditing(null);
      toast(t(kind === 'avatar' ? 'accountSettings.avatarSaved' : 'accountSettings.bannerSaved'), 'success');
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });

  const remove = useMutation({
    mutationFn: async (kind: ProfileImageKind) => {
      await deleteProfileImage(kind);
      return fetchMe();
    },
    onSuccess: (me, kind) => {
      updateSessionUser(me);
      toast(t(kind === 'avatar' ? 'accountSettings.avatarRemoved' : 'accountSettings.bannerRemoved'), 'success');
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });

  return (
    <section className={page.section} aria-labelledby="settings-images">
      <h2 id="settings-images">{t('accountSettings.images')}</h2>
      <div className={styles.images}>
        <div className={styles.bannerPreview}>
          {user.banner_url && <img src={user.banner_url} alt={t('accountSettings.currentBanner')} />}
        </div>
        <div className={page.row}>
          <ImageChooser kind="banner" label={t('accountSettings.changeBanner')} onImage={(f) => void choose('banner')(f)} />
          {user.banner_url && (
            <Button size="sm" variant="ghost" loading={remove.isPending && remove.variables === 'banner'} onClick={() => remove.mutate('banner')}>
              {t('accountSettings.removeBanner')}
            </Button>
          )}
          <span className={page.muted}>{t('accountSettings.bannerHint')}</span>
        </div>
        <div className={styles.avatarRow}>
          <div className={styles.avatarPreview}>
            {user.avatar_url ? <img src={user.avatar_url} alt={t('accountSettings.currentAvatar')} /> : <UserIcon size={36} />}
          </div>
          <div className={page.row}>
            <ImageChooser kind="avatar" label={t('accountSettings.changeAvatar')} onImage={(f) => void choose('avatar')(f)} />
            {user.avatar_url && (
              <Button size="sm" variant="ghost" loading={remove.isPending && remove.variables === 'avatar'} onClick={() => remove.mutate('avatar')}>
                {t('accountSettings.removeAvatar')}
              </Button>
            )}
            <span className={page.muted}>{t('accountSettings.avatarHint')}</span>
          </div>
        </div>
      </div>
      <ImageCropDialog
        title={editing?.kind === 'avatar' ? t('accountSettings.cropAvatar') : t('accountSettings.cropBanner')}
        image={editing?.image ?? null}
        spec={editing?.kind === 'avatar' ? kAvatarCrop : kBannerCrop}
        saving={upload.isPending}
        onCancel={() => setEditing(null)}
        onSave={(blob) => editing && upload.mutate({ kind: editing.kind, blob })}
      />
    </section>
  );
}
