import type { SocialLink } from '../../api/types';

export type Platform = SocialLink['platform'];

/**
 * Hosts each platform's links live on, as the server checks them (users/user_validation.cpp):
 * the host itself or any subdomain. `website` takes any host.
 */
const kPlatformHosts: ReadonlyArray<readonly [Platform, readonly string[]]> = [
  ['spotify', ['spotify.com']],
  ['soundcloud', ['soundcloud.com']],
  ['bandcamp', ['bandcamp.com']],
  ['youtube', ['youtube.com', 'youtu.be']],
  ['instagram', ['instagram.com']],
  ['tiktok', ['tiktok.com']],
  ['x', ['x.com', 'twitter.com']],
  ['facebook', ['facebook.com']],
  ['twitch', ['twitch.tv']],
  ['mixcloud', ['mixcloud.com']],
  ['apple_music', ['music.apple.com']],
  ['deezer', ['deezer.com']],
  ['discord', ['discord.gg', 'discord.com']],
  ['patreon', ['patreon.com']],
];

export const kMaxSocialLinks = 10;
export const kMaxUrlLength = 300;

/** Names to show; brands keep their own spelling in every language. */
export const kPlatformNames: Record<Platform, string> = {
  apple_music: 'Apple Music',
  bandcamp: 'Bandcamp',
  deezer: 'Deezer',
  discord: 'Discord',
  facebook: 'Facebook',
  instagram: 'Instagram',
  mixcloud: 'Mixcloud',
  patreon: 'Patreon',
  soundcloud: 'SoundCloud',
  spotify: 'Spotify',
  tiktok: 'TikTok',
  twitch: 'Twitch',
  website: 'Website',
  x: 'X',
  youtube: 'YouTube',
};

function hostMatches(host: string, allowed: string): boolean {
  return host === allowed || host.endsWith(`.${allowed}`);
}

function parseHttps(url: string): URL | null {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}

/** The platform a link points to, from its host; anything unknown is a website. */
export function detectPlatform(url: string): Platform {
  const parsed = parseHttps(url) ?? (() => {
    try {
      return new URL(`https://${url.trim().replace(/^[a-z]+:\/\//i, '')}`);
    } catch {
      return null;
    }
  })();
  if (!parsed) return 'website';
  const host = parsed.hostname.toLowerCase();
  for (const [platform, hosts] of kPlatformHosts) {
    if (hosts.some((allowed) => hostMatches(host, allowed))) return platform;
  }
  return 'website';
}

export type LinkProblem = 'empty' | 'notHttps' | 'invalid' | 'tooLong' | 'credentials' | 'wrongHost';

/** What is wrong with a link before sending it, mirroring the server's rules; null when fine. */
export function linkProblem(url: string, platform: Platform = detectPlatform(url)): LinkProblem | null {
  const text = url.trim();
  if (!text) return 'empty';
  if (text.length > kMaxUrlLength) return 'tooLong';
  if (!/^https:\/\//i.test(text)) return 'notHttps';
  if (/[\s"<>\\]/.test(text)) return 'invalid';
  const parsed = parseHttps(text);
  if (!parsed) return 'invalid';
  if (parsed.username || parsed.password) return 'credentials';
  const host = parsed.hostname;
  if (!host.includes('.') || host.startsWith('.') || host.endsWith('.') || host.includes('..')) return 'invalid';
  if (platform !== 'website') {
    const hosts = kPlatformHosts.find(([name]) => name === platform)?.[1] ?? [];
    if (!hosts.some((allowed) => hostMatches(host.toLowerCase(), allowed))) return 'wrongHost';
  }
  return null;
}

/** What a visitor reads for a link: the host and path without the scheme. */
export function linkLabel(url: string): string {
  const parsed = parseHttps(url);
  if (!parsed) return url;
  const path = parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/$/, '');
  return `${parsed.hostname.replace(/^www\./, '')}${path}`;
}
