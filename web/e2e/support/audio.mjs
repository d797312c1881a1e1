import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const kCodecs = {
  wav: ['-c:a', 'pcm_s16le'],
  flac: ['-c:a', 'flac'],
};

/**
 * Generates a test audio file with the ffmpeg CLI at test time (never downloaded): a sine tone of
 * `frequency` Hz for `seconds`, with `title`/`artist` tags so an upload page can prefill them.
 * Consecutive tracks for gapless tests can use different frequencies so a gap or overlap is
 * audible and measurable. Returns the file's absolute path.
 */
export async function generateAudio({
  dir,
  name = 'tone',
  format = 'flac',
  seconds = 6,
  frequency = 440,
  sampleRate = 44100,
  channels = 2,
  title = name,
  artist = 'Veza E2E',
} = {}) {
  if (!dir) throw new Error('generateAudio needs a directory');
  const codec = kCodecs[format];
  if (!codec) throw new Error(`unsupported format ${format}; use one of ${Object.keys(kCodecs).join(', ')}`);
  const file = path.join(dir, `${name}.${format}`);
  const layout = channels === 1 ? 'mono' : 'stereo';
  await run(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=${sampleRate}:duration=${seconds}`,
      '-af', `volume=-6dB,aformat=channel_layouts=${layout}`,
      ...codec,
      '-metadata', `title=${title}`,
      '-metadata', `artist=${artist}`,
      file,
    ],
    { timeout: 60_000 },
  );
  return file;
}

/** What ffprobe reads from a file: format name, duration (s), sample rate, channels and tags. */
export async function probeAudio(file) {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'a:0', file],
    { timeout: 30_000 },
  );
  const info = JSON.parse(stdout);
  const stream = info.streams?.[0] ?? {};
  const tags = Object.fromEntries(
    Object.entries(info.format?.tags ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
  );
  return {
    format: info.format?.format_name,
    duration: Number(info.format?.duration),
    sampleRate: Number(stream.sample_rate),
    channels: stream.channels,
    codec: stream.codec_name,
    tags,
    bytes: fs.statSync(file).size,
  };
}
