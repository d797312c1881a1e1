import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { getUser, listUserTracks } from '../../api/tracks';
import type { SocialLink, TrackOwner } from '../../api/types';
import page from '../../app/Page.module.css';
import { useDocumentTitle } from '../../app/useDocumentTitle';
import { Button, EmptyState, ErrorState, LinkButton, Skeleton } from '../../components';
import { MusicIcon, UserIcon } from '../../components/icons';
import { NotFoundPage } from '../errors/NotFoundPage';
import { usernameFromHandle } from '../tracks/links';
import { TrackGrid, TrackGridSkeleton } from '../tracks/TrackGrid';
import { useSession } from '../auth/session';
import { PlatformIcon } from './PlatformIcon';
import styles from './ProfilePage.module.css';
import { kPlatformNames, linkLabel } from './socialLinks';

function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

function ProfileTracks({ username, owner }: { username: string; owner: TrackOwner }) {
  const { t } = useTranslation();
  const query = useInfiniteQuery({
    queryKey: ['users', username, 'tracks'],
    queryFn: ({ pageParam, signal }) => listUserTracks(username, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const tracks = query.data?.pages.flatMap((p) => p.items) ?? [];
  if (query.isPending) return <TrackGridSkeleton count={4} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (tracks.length === 0) {
    return <EmptyState icon={<MusicIcon />} title={t('profile.noTracks')} description={t('profile.noTracksDescription')} />;
  }
  return (
    <>
      <TrackGrid tracks={tracks} owner={owner} />
      {query.hasNextPage && (
        <Button className={page.center} loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {t('home.loadMore')}
        </Button>
      )}
    </>
  );
}

function ProfileLinks({ website, links }: { website: string; links: readonly SocialLink[] }) {
  const { t } = useTranslation();
  const all = website ? [{ platform: 'website' as const, url: website }, ...links.filter((l) => l.url !== website)] : links;
  if (all.length === 0) return null;
  return (
    <nav aria-label={t('profile.links')}>
      <ul className={styles.links}>
        {all.map((link) => (
          <li key={link.url}>
            <a href={link.url} rel="noopener noreferrer nofollow me" target="_blank" className={styles.link}>
              <PlatformIcon platform={link.platform} />
              <span>
                {link.platform === 'website' ? linkLabel(link.url) : kPlatformNames[link.platform]}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Profile({ username }: { username: string }) {
  const { t } = useTranslation();
  const query = useQuery({
    queryKey: ['users', username],
    queryFn: ({ signal }) => getUser(username, signal),
  });
  const user = query.data;
  // A private profile seen by someone else is the limited one: no bio, links or location.
  const details = user && 'bio' in user ? user : null;
  const me = useSession((s) => s.user);
  const isOwner = me !== null && me.username === user?.username;
  useDocumentTitle(user ? user.display_name || user.username : `@${username}`);

  if (query.isError) {
    if (isNotFound(query.error)) return <NotFoundPage description={t('notFound.user')} />;
    return (
      <div className={page.page}>
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  }

  return (
    <div className={styles.profile}>
      <div className={styles.banner}>{user?.banner_url && <img src={user.banner_url} alt="" />}</div>
      <div className={page.page}>
        <header className={styles.header}>
          <div className={styles.avatar}>
            {user?.avatar_url ? <img src={user.avatar_url} alt="" /> : <UserIcon size={40} />}
          </div>
          <div className={styles.identity}>
            {user ? (
              <>
                <h1>{user.display_name || user.username}</h1>
                <p className={page.muted}>
                  @{user.username}
                  {details?.location ? ` · ${details.location}` : ''}
                </p>
              </>
            ) : (
              <>
                <Skeleton width="12rem" height="2rem" />
                <Skeleton width="6rem" />
              </>
            )}
          </div>
          {isOwner && (
            <LinkButton to="/settings/profile" size="sm" className={styles.edit}>
              {t('account.editProfile')}
            </LinkButton>
          )}
        </header>
        {details?.bio && <p className={styles.bio}>{details.bio}</p>}
        {details && <ProfileLinks website={details.website} links={details.social_links} />}
        {isOwner && user?.is_private && <p className={styles.notice}>{t('account.privateOwner')}</p>}
        {user?.is_private && !details ? (
          <p className={styles.notice}>{t('profile.private')}</p>
        ) : (
          <section className={styles.tracks} aria-labelledby="profile-tracks">
            <h2 id="profile-tracks">{t('profile.tracks')}</h2>
            <ProfileTracks
              username={username}
              owner={{ username, display_name: user?.display_name ?? '' }}
            />
          </section>
        )}
      </div>
    </div>
  );
}

export function ProfilePage() {
  const { handle } = useParams();
  const username = usernameFromHandle(handle);
  if (!username) return <NotFoundPage />;
  return <Profile key={username} username={username} />;
}
