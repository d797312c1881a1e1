import { describe, expect, it } from 'vitest';
import { formatBytes, looksLikeAudio, titleFromFileName } from './files';

describe('upload file helpers', () => {
  it('accepts audio by type or extension', () => {
    expect(looksLikeAudio('a.bin', 'audio/flac')).toBe(true);
    expect(looksLikeAudio('Song.FLAC', '')).toBe(true);
    expect(looksLikeAudio('notes.txt', 'text/plain')).toBe(false);
  });

  it('derives titles from file names', () => {
    expect(titleFromFileName('01_My_Song.final.wav')).toBe('01 My Song.final');
    expect(titleFromFileName('.wav')).toBe('.wav');
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
  });
});
