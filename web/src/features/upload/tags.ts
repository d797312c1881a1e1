import type { TrackFormValues } from '../tracks/trackForm';

/**
 * Reads the file's own tags (ID3, Vorbis comments, MP4 atoms) in the browser, so the form is
 * filled before the upload ends. music-metadata is loaded only here.
 */
export async function readFileTags(file: File): Promise<Partial<TrackFormValues>> {
  const { parseBlob } = await import('music-metadata');
  const { common } = await parseBlob(file, { skipCovers: true, duration: false });
  const values: Partial<TrackFormValues> = {};
  if (common.title) values.title = common.title;
  if (common.genre?.[0]) values.genre = common.genre.join(', ').slice(0, 100);
  if (common.bpm && common.bpm >= 20 && common.bpm <= 300) values.bpm = String(Math.round(common.bpm * 10) / 10);
  if (common.key) values.musicalKey = common.key;
  const lyrics = common.lyrics?.[0];
  if (lyrics) {
    if (lyrics.syncText?.length) {
      values.lyrics = lyrics.syncText
        .map((line) => `[${lrcTime(line.timestamp ?? 0)}]${line.text}`)
        .join('\n');
    } else if (lyrics.text) {
      values.lyrics = lyrics.text;
    }
  }
  const comment = common.comment?.[0]?.text;
  if (comment) values.description = comment.slice(0, 5000);
  return values;
}

/** Milliseconds as an LRC time tag body, "mm:ss.xx". */
export function lrcTime(ms: number): string {
  const totalCs = Math.max(0, Math.round(ms / 10));
  const m = Math.floor(totalCs / 6000);
  const s = Math.floor((totalCs % 6000) / 100);
  const cs = totalCs % 100;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(cs).padStart(2, '0')}`;
}
