import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { updateMe, type ProfileUpdate } from '../../api/account';
import type { Me } from '../../api/types';
import page from '../../app/Page.module.css';
import { Button, Input, TextArea, toast } from '../../components';
import { fieldErrors } from '../auth/fieldErrors';
import { FormError } from '../auth/FormError';
import { updateSessionUser, useSession } from '../auth/session';
import { linkProblem } from '../profile/socialLinks';
import { ProfileImages } from './ProfileImages';
import { SettingsSection } from './SettingsLayout';
import styles from './SettingsPage.module.css';
import { draftsFrom, linksFrom, linksValid, SocialLinksEditor, type LinkDraft } from './SocialLinksEditor';

export const kMaxBio = 1000;

function ProfileForm({ user }: { user: Me }) {
  const { t } = useTranslation();
  const privateId = useId();
  const [form, setForm] = useState({
    display_name: user.display_name,
    bio: user.bio,
    location: user.location,
    website: user.website,
    is_private: user.is_private,
  });
  const [links, setLinks] = useState<LinkDraft[]>(() => draftsFrom(user.social_links));
  const [tried, setTried] = useState(false);
  const set = (key: 'display_name' | 'bio' | 'location' | 'website') => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const mutation = useMutation({
    mutationFn: (body: ProfileUpdate) => updateMe(body),
    onSuccess: (me) => {
      updateSessionUser(me);
      setLinks(draftsFrom(me.social_links));
      setTried(false);
      toast(t('accountSettings.profileSaved'), 'success');
    },
  });
  const fields = fieldErrors(mutation.error);
  const websiteProblem = form.website.trim() ? linkProblem(form.website, 'website') : null;
  const bioOver = form.bio.length > kMaxBio;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (websiteProblem || bioOver || !linksValid(links)) return;
    mutation.mutate({
      display_name: form.display_name.trim(),
      bio: form.bio,
      location: form.location.trim(),
      website: form.website.trim(),
      social_links: linksFrom(links),
      is_private: form.is_private,
    });
  };

  return (
    <form className={`${page.section} ${page.form}`} onSubmit={onSubmit} aria-labelledby="settings-profile" noValidate>
      <h2 id="settings-profile">{t('accountSettings.profile')}</h2>
      <FormError error={mutation.error} />
      <Input
        label={t('auth.displayName')}
        name="display_name"
        autoComplete="nickname"
        required
        maxLength={50}
        value={form.display_name}
        onChange={set('display_name')}
        error={fields.display_name}
      />
      <TextArea
        label={t('accountSettings.bio')}
        name="bio"
        rows={5}
        value={form.bio}
        onChange={set('bio')}
        error={fields.bio ?? (bioOver ? t('accountSettings.bioTooLong', { max: kMaxBio }) : null)}
      />
      <p className={styles.counter} data-over={bioOver} aria-live="polite">
        {t('accountSettings.bioCount', { length: form.bio.length, max: kMaxBio })}
      </p>
      <Input
        label={t('accountSettings.location')}
        name="location"
        autoComplete="address-level2"
        maxLength={100}
        value={form.location}
        onChange={set('location')}
        error={fields.location}
      />
      <Input
        label={t('accountSettings.website')}
        name="website"
        type="url"
        inputMode="url"
        placeholder="https://"
        value={form.website}
        onChange={set('website')}
        error={fields.website ?? (tried && websiteProblem ? t(`accountSettings.linkProblems.${websiteProblem}`) : null)}
      />
      <SocialLinksEditor drafts={links} onChange={setLinks} serverErrors={fields} showProblems={tried} />
      <div className={styles.switchRow}>
        <input
          id={privateId}
          type="checkbox"
          role="switch"
          checked={form.is_private}
          aria-describedby={`${privateId}-hint`}
          onChange={(e) => setForm((f) => ({ ...f, is_private: e.target.checked }))}
        />
        <label htmlFor={privateId}>{t('accountSettings.private')}</label>
      </div>
      <p id={`${privateId}-hint`} className={page.muted}>
        {t('accountSettings.privateHint')}
      </p>
      <div className={styles.actions}>
        <Link to={`/@${user.username}`} className={page.muted}>
          {t('accountSettings.viewProfile')}
        </Link>
        <Button type="submit" variant="primary" loading={mutation.isPending}>
          {t('common.save')}
        </Button>
      </div>
    </form>
  );
}

export function ProfileSettings() {
  const user = useSession((s) => s.user);
  return (
    <SettingsSection>
      {user && (
        <>
          <ProfileImages user={user} />
          <ProfileForm user={user} />
        </>
      )}
    </SettingsSection>
  );
}
