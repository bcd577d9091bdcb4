import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  tone?: 'danger';
  disabled?: boolean;
}

export type MenuEntry = MenuItem | 'separator' | { heading: string };

interface Props {
  /** Accessible name of the button, e.g. "Actions for Robin". */
  label: string;
  children: ReactNode;
  items: MenuEntry[];
}

/**
 * A menu button per the WAI-ARIA pattern: Enter, Space or ArrowDown opens it on the first
 * item, arrows move, Home/End jump, Escape closes and returns focus to the button.
 */
export function Menu({ label, children, items }: Props) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);

  const focusable = () => [...(list.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])') ?? [])];

  useEffect(() => {
    if (!open) return;
    focusable()[0]?.focus();
    const onDown = (e: MouseEvent) => {
      if (!list.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = focusable();
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => items[(i + items.length) % items.length]?.focus();
    if (e.key === 'Escape') close();
    else if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'Tab') close(false);
    else return;
    e.preventDefault();
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="button quiet small icon-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={label}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {children}
      </button>
      {open && (
        <ul ref={list} id={id} role="menu" aria-label={label} className="menu-list" onKeyDown={onKeyDown}>
          {items.map((entry, i) =>
            entry === 'separator' ? (
              <li key={i} role="separator" className="menu-separator" />
            ) : 'heading' in entry ? (
              <li key={i} role="presentation" className="menu-heading">
                {entry.heading}
              </li>
            ) : (
              <li key={i} role="none">
                <button
                  type="button"
                  role="menuitem"
                  className={`menu-item${entry.tone === 'danger' ? ' danger' : ''}`}
                  disabled={entry.disabled}
                  onClick={() => {
                    close();
                    entry.onSelect();
                  }}
                >
                  {entry.label}
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}
