import { describe, expect, it } from 'vitest';
import type { PlayEvent } from '../api/tracks';
import { PlayReporter } from './plays';

function setup() {
  const sent: Array<[string, PlayEvent]> = [];
  let n = 0;
  const reporter = new PlayReporter(
    async (id, event) => void sent.push([id, event]),
    () => `s${++n}`,
  );
  return { sent, reporter };
}

/** Plays from `fromS` to `toS` in 250 ms time updates. */
function playSpan(reporter: PlayReporter, fromS: number, toS: number) {
  for (let t = fromS; t <= toS + 1e-9; t += 0.25) reporter.time(t, true);
}

describe('PlayReporter', () => {
  it('reports started once sound plays, progress every 30 s and completed at the end', () => {
    const { sent, reporter } = setup();
    reporter.setTrack('a');
    reporter.time(0, false);
    expect(sent).toEqual([]);
    playSpan(reporter, 0, 65);
    reporter.completed();
    expect(sent).toEqual([
      ['a', { event: 'started', session_id: 's1' }],
      ['a', { event: 'progress', session_id: 's1', listened_ms: 30000 }],
      ['a', { event: 'progress', session_id: 's1', listened_ms: 60000 }],
      ['a', { event: 'completed', session_id: 's1', listened_ms: 65000 }],
    ]);
  });

  it('does not count seeks or paused time as listening', () => {
    const { sent, reporter } = setup();
    reporter.setTrack('a');
    playSpan(reporter, 0, 5);
    reporter.time(100, true); // seek forward
    playSpan(reporter, 100, 102);
    reporter.time(102, false);
    reporter.time(150, false);
    reporter.time(20, true); // seek back
    playSpan(reporter, 20, 21);
    reporter.setTrack('b');
    expect(sent.at(-1)).toEqual(['a', { event: 'progress', session_id: 's1', listened_ms: 8000 }]);
  });

  it('flushes what was listened when the track changes, and starts a new session per listen', () => {
    const { sent, reporter } = setup();
    reporter.setTrack('a');
    playSpan(reporter, 0, 3);
    reporter.completed();
    // Repeat-one: same track again, a new listen.
    playSpan(reporter, 0, 1);
    reporter.setTrack('b');
    playSpan(reporter, 0, 0.5);
    expect(sent.map(([id, e]) => `${id}:${e.event}:${e.session_id}:${e.listened_ms ?? '-'}`)).toEqual([
      'a:started:s1:-',
      'a:completed:s1:3000',
      'a:started:s2:-',
      'a:progress:s2:1000',
      'b:started:s3:-',
    ]);
  });

  it('sends nothing for a track that never played, and survives a failing network', () => {
    const sent: string[] = [];
    const reporter = new PlayReporter(
      (id, e) => {
        sent.push(`${id}:${e.event}`);
        return Promise.reject(new Error('offline'));
      },
      () => 's',
    );
    reporter.setTrack('a');
    reporter.completed();
    reporter.setTrack('b');
    reporter.time(0, true);
    expect(sent).toEqual(['b:started']);
  });
});
