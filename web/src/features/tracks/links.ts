/** Lowercase ASCII words joined by dashes, for readable track URLs. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
}

/**
 * `/@user/my-song-123`: the id at the end is what resolves the track; the slug is for people.
 * Without a known owner (a track only carries `user_id`) the page is `/tracks/my-song-123`.
 */
export function trackPath(username: string | null, title: string, id: string): string {
  const slug = slugify(title);
  const segment = slug ? `${slug}-${id}` : id;
  return username ? `/@${username}/${segment}` : `/tracks/${segment}`;
}

/** The track id at the end of a track URL segment, or null. */
export function trackIdFromSegment(segment: string): string | null {
  const match = /(?:^|-)(\d+)$/.exec(segment);
  return match?.[1] ?? null;
}

/** The username of a `/@username` segment, or null when the segment is not a handle. */
export function usernameFromHandle(handle: string | undefined): string | null {
  if (!handle?.startsWith('@') || handle.length < 2) return null;
  return handle.slice(1);
}
