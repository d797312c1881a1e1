import { describe, expect, it } from 'vitest';
import { slugify, trackIdFromSegment, trackPath, usernameFromHandle } from './links';

describe('track links', () => {
  it('slugifies titles, accents and symbols included', () => {
    expect(slugify('Café del Mar (Remix) #2')).toBe('cafe-del-mar-remix-2');
    expect(slugify('   ')).toBe('');
    expect(slugify('a'.repeat(80))).toHaveLength(60);
  });

  it('builds and parses track paths', () => {
    const path = trackPath('ana', 'Été 85', '7301234567890123');
    expect(path).toBe('/@ana/ete-85-7301234567890123');
    expect(trackIdFromSegment(path.split('/')[2]!)).toBe('7301234567890123');
    expect(trackPath('ana', '!!!', '42')).toBe('/@ana/42');
    expect(trackPath(null, 'Été 85', '42')).toBe('/tracks/ete-85-42');
    expect(trackIdFromSegment('42')).toBe('42');
    expect(trackIdFromSegment('no-id-here')).toBeNull();
  });

  it('recognises handles', () => {
    expect(usernameFromHandle('@ana')).toBe('ana');
    expect(usernameFromHandle('ana')).toBeNull();
    expect(usernameFromHandle('@')).toBeNull();
    expect(usernameFromHandle(undefined)).toBeNull();
  });
});
