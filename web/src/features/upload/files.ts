const kAudioExtensions = ['wav', 'aif', 'aiff', 'flac', 'm4a', 'alac', 'mp3', 'aac', 'ogg', 'oga', 'opus'];

export const kAcceptAttribute = `audio/*,${kAudioExtensions.map((e) => `.${e}`).join(',')}`;

/** A first filter before upload; the server decides by probing the content. */
export function looksLikeAudio(name: string, type: string): boolean {
  if (type.startsWith('audio/')) return true;
  const extension = name.split('.').pop()?.toLowerCase() ?? '';
  return kAudioExtensions.includes(extension);
}

/** Default track title: the file name without its extension, separators made spaces. */
export function titleFromFileName(name: string): string {
  const base = name.replace(/\.[^.]+$/, '');
  return base.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim() || name;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
