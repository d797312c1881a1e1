import { describe, expect, it } from 'vitest';
import { detectPlatform, linkLabel, linkProblem } from './socialLinks';

describe('detectPlatform', () => {
  it('knows platforms by host and subdomain, everything else is a website', () => {
    expect(detectPlatform('https://open.spotify.com/artist/1')).toBe('spotify');
    expect(detectPlatform('https://soundcloud.com/ana')).toBe('soundcloud');
    expect(detectPlatform('https://ana.bandcamp.com')).toBe('bandcamp');
    expect(detectPlatform('https://youtu.be/xyz')).toBe('youtube');
    expect(detectPlatform('https://twitter.com/ana')).toBe('x');
    expect(detectPlatform('https://music.apple.com/fr/artist/1')).toBe('apple_music');
    expect(detectPlatform('https://apple.com/music')).toBe('website');
    expect(detectPlatform('https://notspotify.com/x')).toBe('website');
    expect(detectPlatform('https://ana.example.org')).toBe('website');
  });

  it('guesses from a link typed without its scheme', () => {
    expect(detectPlatform('instagram.com/ana')).toBe('instagram');
    expect(detectPlatform('http://www.twitch.tv/ana')).toBe('twitch');
  });
});

describe('linkProblem', () => {
  it('accepts https links on the platform host', () => {
    expect(linkProblem('https://soundcloud.com/ana')).toBeNull();
    expect(linkProblem('https://ana.example.org/music', 'website')).toBeNull();
    expect(linkProblem('https://m.soundcloud.com/ana', 'soundcloud')).toBeNull();
  });

  it('refuses what the server refuses, with the reason', () => {
    expect(linkProblem('   ')).toBe('empty');
    expect(linkProblem('http://soundcloud.com/ana')).toBe('notHttps');
    expect(linkProblem('soundcloud.com/ana')).toBe('notHttps');
    expect(linkProblem('https://user:pw@soundcloud.com/ana')).toBe('credentials');
    expect(linkProblem('https://localhost/x')).toBe('invalid');
    expect(linkProblem('https://a b.com')).toBe('invalid');
    expect(linkProblem(`https://example.com/${'a'.repeat(300)}`)).toBe('tooLong');
    expect(linkProblem('https://example.com/ana', 'spotify')).toBe('wrongHost');
  });
});

describe('linkLabel', () => {
  it('shows host and path without scheme, www or trailing slash', () => {
    expect(linkLabel('https://www.youtube.com/@ana/')).toBe('youtube.com/@ana');
    expect(linkLabel('https://ana.bandcamp.com/')).toBe('ana.bandcamp.com');
  });
});
