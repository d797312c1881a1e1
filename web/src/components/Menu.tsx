import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Button, type ButtonVariant } from './Button';
import { CheckIcon } from './icons';
import styles from './Menu.module.css';

export interface MenuItem {
  id: string;
  label: string;
  onSelect(): void;
  /** Set for choice lists: renders a menuitemradio with a check mark. */
  checked?: boolean;
  disabled?: boolean;
  danger?: boolean;
}

export interface MenuProps {
  /** Accessible name of the trigger (also its text unless `triggerContent` is given). */
  label: string;
  items: readonly MenuItem[];
  triggerContent?: ReactNode;
  icon?: ReactNode;
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  align?: 'start' | 'end';
  placement?: 'below' | 'above';
}

/** Menu button following the WAI-ARIA pattern: arrows, Home/End, Esc, Tab, typeahead by letter. */
export function Menu({
  label,
  items,
  triggerContent,
  icon,
  variant = 'ghost',
  size = 'md',
  align = 'start',
  placement = 'below',
}: MenuProps) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<Array<HTMLButtonElement | null>>([]);
  const menuId = useId();

  const enabled = items.map((item, index) => (item.disabled ? -1 : index)).filter((i) => i >= 0);

  const openAt = (index: number) => {
    setActive(index);
    setOpen(true);
  };

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) triggerRef.current?.focus();
  };

  useEffect(() => {
    if (open) itemRefs.current[active]?.focus();
  }, [open, active]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const move = (delta: number) => {
    if (enabled.length === 0) return;
    const at = enabled.indexOf(active);
    const next = enabled[(at + delta + enabled.length) % enabled.length];
    if (next !== undefined) setActive(next);
  };

  const onTriggerKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      openAt(enabled[0] ?? 0);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      openAt(enabled[enabled.length - 1] ?? 0);
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        move(1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        move(-1);
        break;
      case 'Home':
        event.preventDefault();
        setActive(enabled[0] ?? 0);
        break;
      case 'End':
        event.preventDefault();
        setActive(enabled[enabled.length - 1] ?? 0);
        break;
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
      default:
        if (event.key.length === 1 && /\S/.test(event.key)) {
          const letter = event.key.toLowerCase();
          const match = enabled.find((i) => items[i]?.label.toLowerCase().startsWith(letter));
          if (match !== undefined) setActive(match);
        }
    }
  };

  return (
    <div className={styles.root} ref={rootRef}>
      <Button
        ref={triggerRef}
        variant={variant}
        size={size}
        icon={icon}
        // Visible trigger text stays part of the accessible name (WCAG 2.5.3).
        aria-label={triggerContent === undefined && icon ? label : undefined}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close(false) : openAt(enabled[0] ?? 0))}
        onKeyDown={onTriggerKeyDown}
      >
        {triggerContent === undefined ? (
          icon ? null : label
        ) : (
          <>
            <span className="visually-hidden">{label}: </span>
            {triggerContent}
          </>
        )}
      </Button>
      {open && (
        <div
          id={menuId}
          role="menu"
          aria-label={label}
          className={`${styles.menu} ${styles[align]} ${styles[placement]}`}
          onKeyDown={onMenuKeyDown}
        >
          {items.map((item, index) => (
            <button
              key={item.id}
              ref={(el) => {
                itemRefs.current[index] = el;
              }}
              type="button"
              role={item.checked === undefined ? 'menuitem' : 'menuitemradio'}
              aria-checked={item.checked}
              tabIndex={index === active ? 0 : -1}
              disabled={item.disabled}
              className={`${styles.item} ${item.danger ? styles.danger : ''}`}
              onClick={() => {
                close(true);
                item.onSelect();
              }}
            >
              <span className={styles.check} aria-hidden="true">
                {item.checked && <CheckIcon size={16} />}
              </span>
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
