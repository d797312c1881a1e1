import { describe, expect, it } from 'vitest';
import {
  addToQueue,
  clearQueue,
  currentItem,
  emptyQueue,
  itemsInPlayOrder,
  jumpTo,
  moveAfterCurrent,
  moveInQueue,
  nextKey,
  playNext,
  previousKey,
  previousRestartsTrack,
  removeFromQueue,
  replaceQueue,
  setShuffle,
  shuffled,
  type QueueState,
} from './queue';
import { counterKeys, seededRandom, track } from './testing';

const ids = (s: QueueState) => itemsInPlayOrder(s).map((i) => i.track.id);
const itemIds = (s: QueueState) => s.items.map((i) => i.track.id);

function queueOf(n: number, start = 0): QueueState {
  const tracks = Array.from({ length: n }, (_, i) => track(String(i + 1)));
  return replaceQueue(emptyQueue, tracks, start, counterKeys(), seededRandom(1));
}

describe('queue', () => {
  it('replaces the queue and starts at the given index', () => {
    const q = queueOf(4, 2);
    expect(ids(q)).toEqual(['1', '2', '3', '4']);
    expect(currentItem(q)?.track.id).toBe('3');
  });

  it('adds to the end and starts when the queue was empty', () => {
    const keys = counterKeys();
    const q1 = addToQueue(emptyQueue, [track('a'), track('b')], keys);
    expect(currentItem(q1)?.track.id).toBe('a');
    const q2 = addToQueue(q1, [track('c')], keys);
    expect(ids(q2)).toEqual(['a', 'b', 'c']);
    expect(currentItem(q2)?.track.id).toBe('a');
    expect(addToQueue(q2, [], keys)).toBe(q2);
  });

  it('allows the same track twice as distinct entries', () => {
    const keys = counterKeys();
    const q = addToQueue(addToQueue(emptyQueue, [track('a')], keys), [track('a')], keys);
    expect(q.items.map((i) => i.key)).toEqual(['k1', 'k2']);
    expect(removeFromQueue(q, 'k2').items).toHaveLength(1);
  });

  it('plays next right after the current entry', () => {
    const q = playNext(queueOf(4, 1), [track('x'), track('y')], counterKeys('n'));
    expect(ids(q)).toEqual(['1', '2', 'x', 'y', '3', '4']);
    expect(itemIds(q)).toEqual(['1', '2', 'x', 'y', '3', '4']);
  });

  it('play next on an empty queue starts it', () => {
    const q = playNext(emptyQueue, [track('x')], counterKeys());
    expect(currentItem(q)?.track.id).toBe('x');
  });

  it('play next while shuffled goes right after the current entry in play order', () => {
    const shuffledQ = setShuffle(queueOf(6, 0), true, seededRandom(7));
    const q = playNext(shuffledQ, [track('x')], () => 'kx');
    expect(q.order[0]).toBe(shuffledQ.currentKey);
    expect(q.order[1]).toBe('kx');
  });

  it('removing the current entry moves to the following one, or the previous when last', () => {
    const q = queueOf(3, 1);
    const removed = removeFromQueue(q, q.currentKey!);
    expect(currentItem(removed)?.track.id).toBe('3');
    const last = jumpTo(q, q.order[2]!);
    expect(currentItem(removeFromQueue(last, last.currentKey!))?.track.id).toBe('2');
    const single = queueOf(1);
    expect(removeFromQueue(single, single.currentKey!).currentKey).toBeNull();
  });

  it('removing another entry keeps the current one', () => {
    const q = queueOf(3, 1);
    const r = removeFromQueue(q, q.order[0]!);
    expect(ids(r)).toEqual(['2', '3']);
    expect(r.currentKey).toBe(q.currentKey);
    expect(removeFromQueue(q, 'missing')).toBe(q);
  });

  it('moves entries and keeps the user order equal to play order without shuffle', () => {
    const q = moveInQueue(queueOf(4), 0, 2);
    expect(ids(q)).toEqual(['2', '3', '1', '4']);
    expect(itemIds(q)).toEqual(['2', '3', '1', '4']);
    expect(moveInQueue(q, 0, 9)).toBe(q);
    expect(moveInQueue(q, 1, 1)).toBe(q);
  });

  it('moving while shuffled changes only the play order', () => {
    const s = setShuffle(queueOf(5), true, seededRandom(3));
    const moved = moveInQueue(s, 4, 1);
    expect(moved.order[1]).toBe(s.order[4]);
    expect(itemIds(moved)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('moves a queued entry to play right after the current one', () => {
    const q = queueOf(5, 2);
    expect(ids(moveAfterCurrent(q, 4))).toEqual(['1', '2', '3', '5', '4']);
    const before = moveAfterCurrent(q, 0);
    expect(ids(before)).toEqual(['2', '3', '1', '4', '5']);
    expect(currentItem(before)?.track.id).toBe('3');
    expect(moveAfterCurrent(q, 2)).toBe(q);
  });

  it('clears everything', () => {
    const q = clearQueue(queueOf(3));
    expect(q.items).toEqual([]);
    expect(q.order).toEqual([]);
    expect(q.currentKey).toBeNull();
  });

  it('shuffle keeps the current track first and the others as a permutation', () => {
    const q = queueOf(10, 4);
    const s = setShuffle(q, true, seededRandom(42));
    expect(s.order[0]).toBe(q.currentKey);
    expect([...s.order].sort()).toEqual([...q.order].sort());
    expect(s.order).not.toEqual(q.order);
    expect(itemIds(s)).toEqual(itemIds(q));
  });

  it('the shuffled order is stable while playing through it', () => {
    let s = setShuffle(queueOf(6), true, seededRandom(5));
    const order = s.order;
    const visited = [s.currentKey];
    for (let i = 0; i < 5; i++) {
      s = jumpTo(s, nextKey(s, 'off', true)!);
      visited.push(s.currentKey);
    }
    expect(visited).toEqual(order);
    expect(s.order).toBe(order);
  });

  it('turning shuffle off restores the user order and keeps the current track', () => {
    const s = setShuffle(queueOf(6, 2), true, seededRandom(9));
    const advanced = jumpTo(s, s.order[3]!);
    const off = setShuffle(advanced, false, seededRandom(9));
    expect(ids(off)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(off.currentKey).toBe(advanced.currentKey);
    expect(setShuffle(off, false, seededRandom(1))).toBe(off);
  });

  it('replacing the queue while shuffled starts with the chosen track', () => {
    const shuffledEmpty = { ...emptyQueue, shuffle: true };
    const tracks = ['a', 'b', 'c', 'd'].map((id) => track(id));
    const q = replaceQueue(shuffledEmpty, tracks, 2, counterKeys(), seededRandom(2));
    expect(currentItem(q)?.track.id).toBe('c');
    expect(q.order[0]).toBe(q.currentKey);
  });

  it('next follows repeat modes', () => {
    const q = queueOf(3, 2);
    expect(nextKey(q, 'off', true)).toBeNull();
    expect(nextKey(q, 'all', true)).toBe(q.order[0]);
    expect(nextKey(q, 'one', true)).toBe(q.currentKey);
    expect(nextKey(q, 'one', false)).toBe(q.order[0]);
    const first = jumpTo(q, q.order[0]!);
    expect(nextKey(first, 'one', false)).toBe(q.order[1]);
    expect(nextKey(emptyQueue, 'all', true)).toBeNull();
  });

  it('previous wraps only with repeat all', () => {
    const q = queueOf(3, 0);
    expect(previousKey(q, 'off')).toBeNull();
    expect(previousKey(q, 'one')).toBeNull();
    expect(previousKey(q, 'all')).toBe(q.order[2]);
    expect(previousKey(jumpTo(q, q.order[1]!), 'off')).toBe(q.order[0]);
  });

  it('previous restarts a track that played more than 3 s', () => {
    expect(previousRestartsTrack(3.5)).toBe(true);
    expect(previousRestartsTrack(2)).toBe(false);
  });

  it('jumpTo ignores unknown keys', () => {
    const q = queueOf(2);
    expect(jumpTo(q, 'nope')).toBe(q);
  });

  it('shuffled is a permutation and does not mutate its input', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = shuffled(input, seededRandom(11));
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort((a, b) => a - b)).toEqual(input);
  });
});
