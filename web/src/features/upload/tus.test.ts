import { describe, expect, it } from 'vitest';
import { lrcTime } from './tags';
import { uploadIdFromUrl } from './tus';

describe('tus helpers', () => {
  it('takes the upload id from the upload URL', () => {
    expect(uploadIdFromUrl('http://127.0.0.1:8080/api/v1/uploads/3001234')).toBe('3001234');
    expect(uploadIdFromUrl('/api/v1/uploads/abc%20d/')).toBe('abc d');
  });

  it('writes synchronised tag lyrics as LRC time tags', () => {
    expect(lrcTime(0)).toBe('00:00.00');
    expect(lrcTime(61_230)).toBe('01:01.23');
    expect(lrcTime(-5)).toBe('00:00.00');
  });
});
