// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts';

function key(k: string, init: { shift?: boolean; ctrl?: boolean; target?: EventTarget | null } = {}) {
  return {
    key: k,
    shiftKey: init.shift ?? false,
    ctrlKey: init.ctrl ?? false,
    metaKey: false,
    altKey: false,
    target: init.target ?? document.body,
  };
}

describe('shortcutFor', () => {
  it('maps space, arrows, shift+arrows and M', () => {
    expect(shortcutFor(key(' '))).toEqual({ type: 'toggle' });
    expect(shortcutFor(key('ArrowLeft'))).toEqual({ type: 'seek', deltaS: -5 });
    expect(shortcutFor(key('ArrowRight'))).toEqual({ type: 'seek', deltaS: 5 });
    expect(shortcutFor(key('ArrowLeft', { shift: true }))).toEqual({ type: 'previous' });
    expect(shortcutFor(key('ArrowRight', { shift: true }))).toEqual({ type: 'next' });
    expect(shortcutFor(key('m'))).toEqual({ type: 'mute' });
    expect(shortcutFor(key('M', { shift: true }))).toEqual({ type: 'mute' });
    expect(shortcutFor(key('x'))).toBeNull();
  });

  it('ignores keys while typing', () => {
    for (const tag of ['input', 'textarea', 'select']) {
      expect(shortcutFor(key(' ', { target: document.createElement(tag) }))).toBeNull();
      expect(shortcutFor(key('m', { target: document.createElement(tag) }))).toBeNull();
    }
    const editable = document.createElement('div');
    editable.setAttribute('contenteditable', 'true');
    document.body.append(editable);
    expect(shortcutFor(key('ArrowLeft', { target: editable }))).toBeNull();
    editable.remove();
  });

  it('leaves Space to focused buttons and links, and combos to the browser', () => {
    expect(shortcutFor(key(' ', { target: document.createElement('button') }))).toBeNull();
    const fake = document.createElement('div');
    fake.setAttribute('role', 'button');
    expect(shortcutFor(key(' ', { target: fake }))).toBeNull();
    expect(shortcutFor(key('ArrowRight', { target: document.createElement('button') }))).toEqual({
      type: 'seek',
      deltaS: 5,
    });
    expect(shortcutFor(key('m', { ctrl: true }))).toBeNull();
  });
});
