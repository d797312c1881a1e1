/** One timed line of LRC lyrics. */
export interface LyricLine {
  timeS: number;
  text: string;
}

const kTimeTag = /\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]/g;
const kOffsetTag = /^\[offset:\s*([+-]?\d+)\s*\]$/i;

/**
 * Parses LRC ("[01:02.50]words", several time tags per line allowed, `[offset:+/-ms]`).
 * Returns null when the text has no time tag, so the caller shows it as plain lyrics.
 */
export function parseLrc(text: string): LyricLine[] | null {
  const lines: LyricLine[] = [];
  let offsetS = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const offset = kOffsetTag.exec(line);
    if (offset) {
      // A positive offset shows lyrics sooner.
      offsetS = -Number(offset[1]) / 1000;
      continue;
    }
    const times: number[] = [];
    let rest = line;
    kTimeTag.lastIndex = 0;
    // Time tags lead the line; text may follow the last one.
    while (rest.startsWith('[')) {
      kTimeTag.lastIndex = 0;
      const match = kTimeTag.exec(rest);
      if (!match || match.index !== 0) break;
      const fraction = match[3] ? Number(match[3]) / 10 ** match[3].length : 0;
      times.push(Number(match[1]) * 60 + Number(match[2]) + fraction);
      rest = rest.slice(match[0].length);
    }
    for (const timeS of times) lines.push({ timeS, text: rest.trim() });
  }
  if (lines.length === 0) return null;
  for (const line of lines) line.timeS = Math.max(0, line.timeS + offsetS);
  return lines.sort((a, b) => a.timeS - b.timeS);
}

/** Index of the line being sung at `positionS` (the last one started), or -1 before the first. */
export function activeLyric(lines: readonly LyricLine[], positionS: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.timeS <= positionS) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
