import { describe, expect, it } from 'vitest';
import { emptyTrackForm, fillBlanks, parseTags, toTrackInput } from './trackForm';

describe('track form', () => {
  it('normalises tags like the server', () => {
    expect(parseTags('Lo-fi, chill,, #Beats\nchill ')).toEqual(['lo-fi', 'chill', 'beats']);
  });

  it('sends empty optional fields as null and numbers as numbers', () => {
    const input = toTrackInput({ ...emptyTrackForm('  Song  '), bpm: '128,5', tags: 'a, b', musicalKey: ' Am ' });
    expect(input).toMatchObject({
      title: 'Song',
      description: null,
      genre: null,
      bpm: 128.5,
      musical_key: 'Am',
      tags: ['a', 'b'],
      lyrics: null,
      visibility: 'public',
      licence: 'all_rights_reserved',
    });
    expect(toTrackInput({ ...emptyTrackForm('x'), bpm: 'fast' }).bpm).toBeNull();
  });

  it('fills only the blank fields', () => {
    const filled = fillBlanks({ ...emptyTrackForm('Mine'), genre: ' ' }, { title: 'Tag', genre: 'House', bpm: '' });
    expect(filled.title).toBe('Mine');
    expect(filled.genre).toBe('House');
    expect(filled.bpm).toBe('');
  });
});
