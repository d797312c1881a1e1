import { describe, expect, it } from 'vitest';
import { activeLyric, parseLrc } from './lrc';

describe('parseLrc', () => {
  it('reads time tags, repeated tags and fractions', () => {
    const lines = parseLrc('[ar:Someone]\n[00:01.50]Hello\n[00:10][00:03.2]Chorus\n[01:00.123] Last ')!;
    expect(lines).toEqual([
      { timeS: 1.5, text: 'Hello' },
      { timeS: 3.2, text: 'Chorus' },
      { timeS: 10, text: 'Chorus' },
      { timeS: 60.123, text: 'Last' },
    ]);
  });

  it('applies the offset tag (positive shows lines sooner)', () => {
    const lines = parseLrc('[offset:+500]\n[00:02.00]A\n[00:00.20]B')!;
    expect(lines.map((l) => l.timeS)).toEqual([0, 1.5]);
  });

  it('returns null for plain lyrics', () => {
    expect(parseLrc('Just words\nand more')).toBeNull();
    expect(parseLrc('')).toBeNull();
  });
});

describe('activeLyric', () => {
  const lines = parseLrc('[00:01]a\n[00:05]b\n[00:09]c')!;
  it('finds the last line started', () => {
    expect(activeLyric(lines, 0.5)).toBe(-1);
    expect(activeLyric(lines, 1)).toBe(0);
    expect(activeLyric(lines, 8.9)).toBe(1);
    expect(activeLyric(lines, 100)).toBe(2);
    expect(activeLyric([], 3)).toBe(-1);
  });
});
