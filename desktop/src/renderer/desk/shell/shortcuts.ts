import { useEffect } from 'react';

/** Keys typed into a field belong to the field, not to the desk's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(type);
}

/** Whether a dialog (the help overlay, a confirm) has the keyboard: screen shortcuts stay quiet meanwhile. */
export function dialogIsOpen(): boolean {
  return document.querySelector('[role="dialog"][aria-modal="true"], [role="alertdialog"]') !== null;
}

export interface GlobalShortcutHandlers {
  focusSearch: () => void;
  openHelp: () => void;
  goTo: (index: number) => void;
}

/**
 * The shortcuts that work on every screen: `/` or Ctrl+K (Cmd+K) to find a
 * patient, `?` for the list of shortcuts, Alt+1…5 for the screens. Ctrl+K
 * works even from inside a field; the single keys only when not typing.
 */
export function useGlobalShortcuts(handlers: GlobalShortcutHandlers): void {
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented) return;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        handlers.focusSearch();
        return;
      }
      if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-9]$/.test(event.code)) {
        event.preventDefault();
        handlers.goTo(Number(event.code.slice(5)) - 1);
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target) || dialogIsOpen()) return;
      if (event.key === '/') {
        event.preventDefault();
        handlers.focusSearch();
      } else if (event.key === '?') {
        event.preventDefault();
        handlers.openHelp();
      }
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [handlers]);
}
