import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { updateMe } from '../../api/account';
import { logout } from '../../api/auth';
import page from '../../app/Page.module.css';
import { useTheme, type Theme } from '../../app/theme';
import { Button, describeError, Select, toast } from '../../components';
import { currentLanguage, kLanguages, setLanguage, type Language } from '../../i18n';
import { kMaxCrossfadeS } from '../../player/gain';
import { bitrateLabel } from '../../player/quality';
import { usePlaybackStatus, usePlayer } from '../../player/store';
import { updateSessionUser, useSession } from '../auth/session';
import styles from './SettingsPage.module.css';

/** Quality caps offered before any stream has told its real ladder (the server's default one). */
const kDefaultLadder = [256_000, 192_000, 128_000];

function PlaybackSettings() {
  const { t } = useTranslation();
  const crossfadeId = useId();
  const normalizeId = useId();
  const crossfadeS = usePlayer((s) => s.crossfadeS);
  const normalize = usePlayer((s) => s.normalize);
  const quality = usePlayer((s) => s.quality);
  const { setCrossfade, setNormalize, setQuality } = usePlayer.getState();
  const levels = usePlaybackStatus((s) => s.levels);
  const ladder = levels.length > 0 ? levels.map((l) => l.bitrate).sort((a, b) => b - a) : kDefaultLadder;

  return (
    <section className={page.section} aria-labelledby={`${crossfadeId}-h`}>
      <h2 id={`${crossfadeId}-h`}>{t('settings.playback')}</h2>
      <div className={styles.control}>
        <label htmlFor={crossfadeId}>{t('settings.crossfade')}</label>
        <div className={page.row}>
          <input
            id={crossfadeId}
            type="range"
            min={0}
            max={kMaxCrossfadeS}
            step={1}
            value={crossfadeS}
            aria-describedby={`${crossfadeId}-hint`}
            aria-valuetext={
              crossfadeS === 0 ? t('settings.crossfadeOff') : t('settings.crossfadeValue', { seconds: crossfadeS })
            }
            onChange={(e) => setCrossfade(Number(e.target.value))}
            className={styles.slider}
          />
          <output htmlFor={crossfadeId}>
            {crossfadeS === 0 ? t('settings.crossfadeOff') : t('settings.crossfadeValue', { seconds: crossfadeS })}
          </output>
        </div>
        <p id={`${crossfadeId}-hint`} className={page.muted}>
          {t('settings.crossfadeHint')}
        </p>
      </div>
      <div className={styles.control}>
        <div className={styles.switchRow}>
          <input
            id={normalizeId}
            type="checkbox"
            role="switch"
            checked={normalize}
            aria-describedby={`${normalizeId}-hint`}
            onChange={(e) => setNormalize(e.target.checked)}
          />
          <label htmlFor={normalizeId}>{t('settings.normalize')}</label>
        </div>
        <p id={`${normalizeId}-hint`} className={page.muted}>
          {t('settings.normalizeHint')}
        </p>
      </div>
      <Select
        label={t('settings.quality')}
        value={quality === 'auto' ? 'auto' : String(quality)}
        onChange={(e) => setQuality(e.target.value === 'auto' ? 'auto' : Number(e.target.value))}
        options={[
          { value: 'auto', label: t('player.qualityAuto') },
          ...ladder.map((bitrate) => ({ value: String(bitrate), label: bitrateLabel(bitrate) })),
        ]}
      />
    </section>
  );
}

/** The language of the page, and of the account's mails when signed in. */
function LanguageSelect() {
  const { t } = useTranslation();
  const signedIn = useSession((s) => s.status === 'signedIn');
  const mutation = useMutation({
    mutationFn: (language: Language) => updateMe({ language }),
    onSuccess: (me) => {
      updateSessionUser(me);
      toast(t('accountSettings.languageSaved'), 'success');
    },
    onError: (error) => toast(describeError(error, t).message, 'error'),
  });
  return (
    <Select
      label={t('settings.language')}
      hint={signedIn ? t('accountSettings.languageHint') : undefined}
      value={currentLanguage()}
      disabled={mutation.isPending}
      onChange={(e) => {
        const language = e.target.value as Language;
        setLanguage(language);
        if (signedIn) mutation.mutate(language);
      }}
      options={kLanguages.map((code) => ({ value: code, label: t(`languages.${code}`) }))}
    />
  );
}

export function GeneralSettings() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const theme = useTheme((s) => s.theme);
  const setTheme = useTheme((s) => s.setTheme);
  const { status, user } = useSession();

  return (
    <>
      <section className={page.section} aria-labelledby="settings-appearance">
        <h2 id="settings-appearance">{t('settings.appearance')}</h2>
        <Select
          label={t('settings.theme')}
          value={theme}
          onChange={(e) => setTheme(e.target.value as Theme)}
          options={[
            { value: 'dark', label: t('settings.dark') },
            { value: 'light', label: t('settings.light') },
          ]}
        />
        <LanguageSelect />
      </section>
      <PlaybackSettings />
      <section className={page.section} aria-labelledby="settings-account">
        <h2 id="settings-account">{t('settings.account')}</h2>
        {status === 'signedIn' && user ? (
          <div className={page.row}>
            <p>
              {t('settings.signedInAs', { name: user.display_name || user.username, username: user.username })}
            </p>
            <Button
              variant="danger"
              onClick={() =>
                void logout().finally(() => {
                  toast(t('auth.signedOut'));
                  navigate('/');
                })
              }
            >
              {t('nav.signOut')}
            </Button>
          </div>
        ) : (
          <p className={page.muted}>
            {t('settings.notSignedIn')} <Link to="/signin?next=%2Fsettings">{t('nav.signIn')}</Link>
          </p>
        )}
      </section>
    </>
  );
}
