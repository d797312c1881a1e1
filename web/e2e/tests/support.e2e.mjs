// The helpers later tests build on: generated audio (sign up → upload → play → gapless).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';
import { generateAudio, makeTempDir, probeAudio } from '../support/index.mjs';

const dir = makeTempDir('veza-e2e-audio-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('generated audio', () => {
  test('a FLAC tone has the asked duration, rate, channels and tags', async () => {
    const file = await generateAudio({ dir, name: 'first', format: 'flac', seconds: 3, frequency: 440, title: 'First tone' });
    const info = await probeAudio(file);
    assert.equal(info.codec, 'flac');
    assert.ok(Math.abs(info.duration - 3) < 0.01, `duration ${info.duration}`);
    assert.equal(info.sampleRate, 44100);
    assert.equal(info.channels, 2);
    assert.equal(info.tags.title, 'First tone');
    assert.equal(info.tags.artist, 'Veza E2E');
  });

  test('a mono 48 kHz WAV is PCM with the asked length', async () => {
    const file = await generateAudio({ dir, name: 'second', format: 'wav', seconds: 2, sampleRate: 48000, channels: 1 });
    const info = await probeAudio(file);
    assert.equal(info.codec, 'pcm_s16le');
    assert.equal(info.sampleRate, 48000);
    assert.equal(info.channels, 1);
    // 16-bit mono PCM: 2 bytes a sample plus a small header.
    assert.ok(info.bytes >= 2 * 48000 * 2 && info.bytes < 2 * 48000 * 2 + 1024, `${info.bytes} bytes`);
  });

  test('an unknown format is refused', async () => {
    await assert.rejects(generateAudio({ dir, format: 'mp9' }), /unsupported format/);
  });
});
