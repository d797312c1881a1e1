import type { Licence, Track, TrackInput, Visibility } from '../../api/types';

/** What the metadata form edits, as the text the inputs hold. */
export interface TrackFormValues {
  title: string;
  description: string;
  genre: string;
  tags: string;
  bpm: string;
  musicalKey: string;
  lyrics: string;
  visibility: Visibility;
  downloadable: boolean;
  licence: Licence;
  explicit: boolean;
}

export const kLicences: readonly Licence[] = [
  'all_rights_reserved',
  'cc_by',
  'cc_by_sa',
  'cc_by_nd',
  'cc_by_nc',
  'cc_by_nc_sa',
  'cc_by_nc_nd',
  'cc0',
];
export const kVisibilities: readonly Visibility[] = ['public', 'unlisted', 'private'];

export function emptyTrackForm(title = ''): TrackFormValues {
  return {
    title,
    description: '',
    genre: '',
    tags: '',
    bpm: '',
    musicalKey: '',
    lyrics: '',
    visibility: 'public',
    downloadable: false,
    licence: 'all_rights_reserved',
    explicit: false,
  };
}

/** The form as a track shows it now. */
export function formFromTrack(track: Track): TrackFormValues {
  return {
    title: track.title,
    description: track.description ?? '',
    genre: track.genre ?? '',
    tags: (track.tags ?? []).join(', '),
    bpm: track.bpm == null ? '' : String(track.bpm),
    musicalKey: track.musical_key ?? '',
    lyrics: track.lyrics ?? '',
    visibility: track.visibility,
    downloadable: track.downloadable,
    licence: track.licence,
    explicit: track.explicit,
  };
}

/** "Lo-fi, chill,, beats " → ["lo-fi", "chill", "beats"] (the server lower-cases too). */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[,\n#]/)) {
    const tag = part.trim().toLowerCase();
    if (tag) seen.add(tag);
  }
  return [...seen];
}

/** The JSON body for POST /tracks or PATCH /tracks/{id}; empty optional fields become null. */
export function toTrackInput(values: TrackFormValues): TrackInput {
  const bpm = values.bpm.trim() === '' ? null : Number(values.bpm.replace(',', '.'));
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return {
    title: values.title.trim(),
    description: text(values.description),
    genre: text(values.genre),
    tags: parseTags(values.tags),
    bpm: bpm !== null && Number.isFinite(bpm) ? bpm : null,
    musical_key: text(values.musicalKey),
    lyrics: values.lyrics.trim() === '' ? null : values.lyrics,
    visibility: values.visibility,
    downloadable: values.downloadable,
    licence: values.licence,
    explicit: values.explicit,
  };
}

/**
 * Fills the fields the user left empty from another source (the file's tags, then what the
 * server detected). What the user typed always wins.
 */
export function fillBlanks(values: TrackFormValues, source: Partial<TrackFormValues>): TrackFormValues {
  const out = { ...values };
  for (const key of ['title', 'description', 'genre', 'tags', 'bpm', 'musicalKey', 'lyrics'] as const) {
    const value = source[key];
    if (out[key].trim() === '' && typeof value === 'string' && value.trim() !== '') out[key] = value;
  }
  return out;
}
