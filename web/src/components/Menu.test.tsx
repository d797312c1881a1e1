// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import '../i18n';
import { Menu } from './Menu';

function setup() {
  const picked = vi.fn();
  render(
    <Menu
      label="Quality"
      items={[
        { id: 'auto', label: 'Auto', checked: true, onSelect: () => picked('auto') },
        { id: 'hi', label: 'High', checked: false, onSelect: () => picked('hi') },
        { id: 'mid', label: 'Medium', disabled: true, onSelect: () => picked('mid') },
        { id: 'lo', label: 'Low', checked: false, onSelect: () => picked('lo') },
      ]}
    />,
  );
  return { picked, trigger: screen.getByRole('button', { name: 'Quality' }) };
}

describe('Menu', () => {
  it('opens from the keyboard, skips disabled items and wraps', async () => {
    const user = userEvent.setup();
    const { trigger, picked } = setup();
    trigger.focus();
    await user.keyboard('{ArrowDown}');
    expect(trigger).toHaveAttribute('aria-expanded', 'true');
    expect(document.activeElement).toHaveTextContent('Auto');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(document.activeElement).toHaveTextContent('Low');
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toHaveTextContent('Auto');
    await user.keyboard('{End}{Enter}');
    expect(picked).toHaveBeenCalledWith('lo');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(trigger);
  });

  it('closes on Escape and marks the checked choice', async () => {
    const user = userEvent.setup();
    const { trigger } = setup();
    await user.click(trigger);
    expect(screen.getByRole('menuitemradio', { name: 'Auto' })).toHaveAttribute('aria-checked', 'true');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(trigger);
  });
});
