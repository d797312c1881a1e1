import type { PlayerTrack } from './types';

/** One entry of the queue; `key` is unique per entry because a track may be queued twice. */
export interface QueueItem {
  key: string;
  track: PlayerTrack;
}

export type RepeatMode = 'off' | 'all' | 'one';

/**
 * `items` is the queue as the user built it; `order` lists the same keys in play order, equal to
 * `items` unless shuffle is on. Keeping both lets shuffle be turned off without losing the
 * original order, and keeps the shuffled order stable while playing.
 */
export interface QueueState {
  items: QueueItem[];
  order: string[];
  currentKey: string | null;
  shuffle: boolean;
}

export type Random = () => number;
export type KeyFactory = () => string;

export const emptyQueue: QueueState = { items: [], order: [], currentKey: null, shuffle: false };

/** Fisher–Yates over a copy. */
export function shuffled<T>(values: readonly T[], random: Random): T[] {
  const out = values.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function keysOf(items: readonly QueueItem[]): string[] {
  return items.map((item) => item.key);
}

/** Play order for shuffle: the current track first (it keeps playing), the rest shuffled. */
function shuffledOrder(items: readonly QueueItem[], currentKey: string | null, random: Random) {
  const rest = keysOf(items).filter((key) => key !== currentKey);
  const head = currentKey === null ? [] : [currentKey];
  return [...head, ...shuffled(rest, random)];
}

function makeItems(tracks: readonly PlayerTrack[], newKey: KeyFactory): QueueItem[] {
  return tracks.map((track) => ({ key: newKey(), track }));
}

export function currentItem(state: QueueState): QueueItem | null {
  return state.items.find((item) => item.key === state.currentKey) ?? null;
}

/** Position of the current entry in play order, or -1. */
export function cursor(state: QueueState): number {
  return state.currentKey === null ? -1 : state.order.indexOf(state.currentKey);
}

export function itemByKey(state: QueueState, key: string | null): QueueItem | null {
  if (key === null) return null;
  return state.items.find((item) => item.key === key) ?? null;
}

/** The queue in play order, as the queue panel shows it. */
export function itemsInPlayOrder(state: QueueState): QueueItem[] {
  const byKey = new Map(state.items.map((item) => [item.key, item]));
  return state.order.flatMap((key) => byKey.get(key) ?? []);
}

/** Replaces the queue with `tracks` and makes `startIndex` current. */
export function replaceQueue(
  state: QueueState,
  tracks: readonly PlayerTrack[],
  startIndex: number,
  newKey: KeyFactory,
  random: Random,
): QueueState {
  const items = makeItems(tracks, newKey);
  const start = items[Math.min(Math.max(startIndex, 0), items.length - 1)];
  const currentKey = start?.key ?? null;
  const order = state.shuffle ? shuffledOrder(items, currentKey, random) : keysOf(items);
  return { ...state, items, order, currentKey };
}

/** Appends to the end of the queue (and of the play order); starts playing if the queue was empty. */
export function addToQueue(
  state: QueueState,
  tracks: readonly PlayerTrack[],
  newKey: KeyFactory,
): QueueState {
  const added = makeItems(tracks, newKey);
  if (added.length === 0) return state;
  const currentKey = state.currentKey ?? added[0]?.key ?? null;
  return {
    ...state,
    items: [...state.items, ...added],
    order: [...state.order, ...keysOf(added)],
    currentKey,
  };
}

/** Inserts right after the current entry, in both the user's order and the play order. */
export function playNext(
  state: QueueState,
  tracks: readonly PlayerTrack[],
  newKey: KeyFactory,
): QueueState {
  if (state.currentKey === null) return addToQueue(state, tracks, newKey);
  const added = makeItems(tracks, newKey);
  const itemIndex = state.items.findIndex((item) => item.key === state.currentKey);
  const items = [...state.items];
  items.splice(itemIndex + 1, 0, ...added);
  const order = [...state.order];
  order.splice(cursor(state) + 1, 0, ...keysOf(added));
  return { ...state, items, order };
}

/**
 * Removes one entry. Removing the current one makes the following entry current (or the previous
 * one when it was last), so playback continues where the user expects.
 */
export function removeFromQueue(state: QueueState, key: string): QueueState {
  const position = state.order.indexOf(key);
  if (position === -1) return state;
  const order = state.order.filter((k) => k !== key);
  const items = state.items.filter((item) => item.key !== key);
  let currentKey = state.currentKey;
  if (key === state.currentKey) {
    currentKey = order[position] ?? order[position - 1] ?? null;
  }
  return { ...state, items, order, currentKey };
}

/** Moves the entry at play-order position `from` to position `to`. */
export function moveInQueue(state: QueueState, from: number, to: number): QueueState {
  const length = state.order.length;
  if (from < 0 || from >= length || to < 0 || to >= length || from === to) return state;
  const order = [...state.order];
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved as string);
  if (state.shuffle) return { ...state, order };
  // Without shuffle the user's order is the play order.
  const byKey = new Map(state.items.map((item) => [item.key, item]));
  return { ...state, order, items: order.flatMap((k) => byKey.get(k) ?? []) };
}

/** "Play next" for an entry already queued: moves it right after the current one. */
export function moveAfterCurrent(state: QueueState, from: number): QueueState {
  const at = cursor(state);
  if (at === -1 || from === at) return state;
  return moveInQueue(state, from, from < at ? at : at + 1);
}

export function clearQueue(state: QueueState): QueueState {
  return { ...state, items: [], order: [], currentKey: null };
}

export function jumpTo(state: QueueState, key: string): QueueState {
  return state.order.includes(key) ? { ...state, currentKey: key } : state;
}

export function setShuffle(state: QueueState, on: boolean, random: Random): QueueState {
  if (on === state.shuffle) return state;
  const order = on ? shuffledOrder(state.items, state.currentKey, random) : keysOf(state.items);
  return { ...state, shuffle: on, order };
}

/**
 * The entry that follows the current one. `auto` is true when the current track ended by itself:
 * only then does repeat-one replay it; a press on "next" always moves on.
 */
export function nextKey(state: QueueState, repeat: RepeatMode, auto: boolean): string | null {
  const at = cursor(state);
  if (at === -1) return state.order[0] ?? null;
  if (auto && repeat === 'one') return state.currentKey;
  const following = state.order[at + 1];
  if (following !== undefined) return following;
  return repeat === 'off' ? null : (state.order[0] ?? null);
}

/** The entry before the current one; wraps only with repeat all. */
export function previousKey(state: QueueState, repeat: RepeatMode): string | null {
  const at = cursor(state);
  if (at === -1) return null;
  const before = state.order[at - 1];
  if (before !== undefined) return before;
  return repeat === 'all' ? (state.order[state.order.length - 1] ?? null) : null;
}

/** "Previous" restarts the current track when it has played past this many seconds. */
export const kRestartThresholdS = 3;

export function previousRestartsTrack(positionS: number): boolean {
  return positionS > kRestartThresholdS;
}
