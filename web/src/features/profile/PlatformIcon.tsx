import type { ReactNode } from 'react';
import type { Platform } from './socialLinks';

/** Simplified monochrome marks (currentColor) so links read at a glance in both themes. */
const kGlyphs: Record<Platform, ReactNode> = {
  spotify: (
    <>
      <circle cx="12" cy="12" r="10" />
      <path d="M7 9.5c3.5-1 7.5-.6 10.5 1.2M7.5 12.7c3-.8 6-.4 8.5 1M8 15.7c2.3-.5 4.5-.3 6.5.8" />
    </>
  ),
  soundcloud: (
    <>
      <path d="M9 17h9a3.5 3.5 0 0 0 0-7 5 5 0 0 0-9-2z" />
      <path d="M3 17v-3M5.5 17v-5M7.5 17V9.5" />
    </>
  ),
  bandcamp: <path d="M8 6h14l-6 12H2z" />,
  youtube: (
    <>
      <rect x="2" y="5" width="20" height="14" rx="4" />
      <path d="M10 9v6l5-3z" fill="currentColor" />
    </>
  ),
  instagram: (
    <>
      <rect x="3" y="3" width="18" height="18" rx="5" />
      <circle cx="12" cy="12" r="4" />
      <circle cx="17.5" cy="6.5" r="0.5" fill="currentColor" />
    </>
  ),
  tiktok: <path d="M14 3v11.5a3.5 3.5 0 1 1-3.5-3.5M14 3c.5 3 2.5 5 6 5" />,
  x: <path d="M4 4l16 16M20 4L4 20" />,
  facebook: (
    <>
      <circle cx="12" cy="12" r="10" />
      <path d="M13 22v-9h3M13 13V9.5A2.5 2.5 0 0 1 15.5 7H17M10 13h3" />
    </>
  ),
  twitch: (
    <>
      <path d="M4 3h16v11l-4 4h-4l-3 3v-3H4z" />
      <path d="M11 8v4M15 8v4" />
    </>
  ),
  mixcloud: (
    <>
      <path d="M6 17h11a4 4 0 0 0 0-8 6 6 0 0 0-11 1 3.5 3.5 0 0 0 0 7z" />
    </>
  ),
  apple_music: (
    <>
      <path d="M9 18V6l11-2v12" />
      <circle cx="6.5" cy="18" r="2.5" />
      <circle cx="17.5" cy="16" r="2.5" />
    </>
  ),
  deezer: <path d="M3 18h4M3 15h4M9 18h4M9 15h4M9 12h4M15 18h4M15 15h4M15 12h4M15 9h4M15 6h4" />,
  discord: (
    <>
      <path d="M7 7c3-1.5 7-1.5 10 0 2 3 3 6 3 10-2 1.5-3.5 2-5 2l-1-2M7 7C5 10 4 13 4 17c2 1.5 3.5 2 5 2l1-2" />
      <circle cx="9.5" cy="13" r="1" fill="currentColor" />
      <circle cx="14.5" cy="13" r="1" fill="currentColor" />
    </>
  ),
  patreon: (
    <>
      <circle cx="14.5" cy="9.5" r="5.5" />
      <path d="M4 4v16" />
    </>
  ),
  website: (
    <>
      <circle cx="12" cy="12" r="10" />
      <path d="M2 12h20" />
      <path d="M12 2a15 15 0 0 1 0 20a15 15 0 0 1 0-20" />
    </>
  ),
};

const kKeyGlyph = (
  <>
    <circle cx="8" cy="15" r="4" />
    <path d="M11 12l9-9M17 6l3 3" />
  </>
);

function Glyph({ children, size }: { children: ReactNode; size: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function PlatformIcon({ platform, size = 18 }: { platform: Platform; size?: number }) {
  return <Glyph size={size}>{kGlyphs[platform] ?? kGlyphs.website}</Glyph>;
}

/** A sign-in provider's mark: its platform's when it is one, a key otherwise (any OIDC provider). */
export function ProviderIcon({ name, size = 18 }: { name: string; size?: number }) {
  const glyph = (kGlyphs as Record<string, ReactNode>)[name];
  return <Glyph size={size}>{glyph && name !== 'website' ? glyph : kKeyGlyph}</Glyph>;
}
