import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { SocialLink } from '../../api/types';
import page from '../../app/Page.module.css';
import { Button, Input } from '../../components';
import { CloseIcon } from '../../components/icons';
import { PlatformIcon } from '../profile/PlatformIcon';
import { detectPlatform, kMaxSocialLinks, kPlatformNames, linkProblem } from '../profile/socialLinks';
import styles from './SettingsPage.module.css';

export interface LinkDraft {
  /** Stable React key while rows are added and removed. */
  id: number;
  url: string;
}

let nextDraftId = 1;

export function draftsFrom(links: readonly SocialLink[]): LinkDraft[] {
  return links.map((link) => ({ id: nextDraftId++, url: link.url }));
}

/** The links to send: blanks dropped, each with the platform its host names. */
export function linksFrom(drafts: readonly LinkDraft[]): SocialLink[] {
  return drafts
    .map((d) => d.url.trim())
    .filter(Boolean)
    .map((url) => ({ platform: detectPlatform(url), url }));
}

/**
 * Index of each draft among the links that will be sent (blank rows are dropped), so the server's
 * `social_links[i]` errors land beside the right row.
 */
function sentIndexes(drafts: readonly LinkDraft[]): (number | null)[] {
  let i = 0;
  return drafts.map((d) => (d.url.trim() ? i++ : null));
}

export function SocialLinksEditor({
  drafts,
  onChange,
  serverErrors,
  showProblems,
}: {
  drafts: LinkDraft[];
  onChange(drafts: LinkDraft[]): void;
  serverErrors: Record<string, string>;
  /** Local checks show once the user tried to save, so typing is not interrupted. */
  showProblems: boolean;
}) {
  const { t } = useTranslation();
  const hintId = useId();
  const indexes = sentIndexes(drafts);
  const update = (id: number, url: string) => onChange(drafts.map((d) => (d.id === id ? { ...d, url } : d)));
  return (
    <fieldset className={styles.linksField} aria-describedby={hintId}>
      <legend>{t('accountSettings.links')}</legend>
      <p id={hintId} className={page.muted}>
        {t('accountSettings.linksHint', { max: kMaxSocialLinks })}
      </p>
      {drafts.map((draft, row) => {
        const platform = detectPlatform(draft.url);
        const problem = draft.url.trim() ? linkProblem(draft.url, platform) : null;
        const index = indexes[row];
        const serverError = index === null ? undefined : serverErrors[`social_links[${index}]`];
        const error = serverError ?? (showProblems && problem ? t(`accountSettings.linkProblems.${problem}`) : null);
        return (
          <div key={draft.id} className={styles.linkRow}>
            <span className={styles.itemIcon} title={kPlatformNames[platform]}>
              <PlatformIcon platform={platform} />
            </span>
            <Input
              label={t('accountSettings.linkLabel', { number: row + 1, platform: kPlatformNames[platform] })}
              type="url"
              inputMode="url"
              placeholder="https://"
              value={draft.url}
              onChange={(e) => update(draft.id, e.target.value)}
              error={error}
            />
            <Button
              variant="ghost"
              icon={<CloseIcon />}
              aria-label={t('accountSettings.removeLink', { number: row + 1 })}
              onClick={() => onChange(drafts.filter((d) => d.id !== draft.id))}
            />
          </div>
        );
      })}
      {serverErrors.social_links && (
        <p className={page.formError} role="alert">
          {serverErrors.social_links}
        </p>
      )}
      <div>
        <Button
          size="sm"
          disabled={drafts.length >= kMaxSocialLinks}
          onClick={() => onChange([...drafts, { id: nextDraftId++, url: '' }])}
        >
          {t('accountSettings.addLink')}
        </Button>
      </div>
    </fieldset>
  );
}

/** True when every non-blank link passes the local checks. */
export function linksValid(drafts: readonly LinkDraft[]): boolean {
  return drafts.every((d) => !d.url.trim() || linkProblem(d.url) === null);
}
