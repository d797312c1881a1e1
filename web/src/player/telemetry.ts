/** A media event of one of the engine's decks, with the page's clock (performance.now()). */
export interface TelemetryEvent {
  type: 'playing' | 'ended' | 'handover' | 'level';
  trackId: string;
  atMs: number;
  positionS: number;
  durationS: number;
  /** For 'level': the rendition hls.js switched to. */
  level?: number;
}

const kMaxEvents = 200;
const events: TelemetryEvent[] = [];

/** Keeps the last events; cheap enough to run always. */
export function recordTelemetry(event: TelemetryEvent): void {
  events.push(event);
  if (events.length > kMaxEvents) events.splice(0, events.length - kMaxEvents);
}

export function telemetryEvents(): readonly TelemetryEvent[] {
  return events;
}

/**
 * `window.__vezaPlayer.events()` lets end-to-end tests measure gapless hand-overs from the page
 * (when one track's 'ended' fires and the next one's 'playing') without any visible UI.
 */
export function exposeTelemetry(target: Window): void {
  Object.defineProperty(target, '__vezaPlayer', {
    value: Object.freeze({ events: () => events.map((e) => ({ ...e })) }),
    configurable: true,
  });
}
