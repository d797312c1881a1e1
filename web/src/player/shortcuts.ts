export type ShortcutAction =
  | { type: 'toggle' }
  | { type: 'seek'; deltaS: number }
  | { type: 'previous' }
  | { type: 'next' }
  | { type: 'mute' };

export const kArrowSeekS = 5;

interface KeyInput {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

const kTypingTags = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Controls where Space or the arrows already mean something. */
const kSpaceOwners = new Set(['BUTTON', 'A', 'SUMMARY']);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    kTypingTags.has(target.tagName) ||
    target.isContentEditable ||
    target.closest('[contenteditable]:not([contenteditable="false"])') !== null
  );
}

/** The player action for a key press, or null when the page (or a text field) should have it. */
export function shortcutFor(event: KeyInput): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return null;
  const target = event.target instanceof HTMLElement ? event.target : null;
  switch (event.key) {
    case ' ':
      if (target && (kSpaceOwners.has(target.tagName) || target.getAttribute('role') === 'button')) {
        return null;
      }
      return { type: 'toggle' };
    case 'ArrowLeft':
      return event.shiftKey ? { type: 'previous' } : { type: 'seek', deltaS: -kArrowSeekS };
    case 'ArrowRight':
      return event.shiftKey ? { type: 'next' } : { type: 'seek', deltaS: kArrowSeekS };
    case 'm':
    case 'M':
      return { type: 'mute' };
    default:
      return null;
  }
}
