import type { WebContents } from 'electron';

type NavigationEvents = Pick<WebContents, 'on'>;

/**
 * Keeps a window on the app: any navigation or redirect to another URL is
 * cancelled, in the top frame and in subframes, and `<webview>` is refused.
 * Links to the outside world are not opened elsewhere either: a reception
 * machine has no business browsing, and an attacker-controlled link would
 * otherwise be one click from the OS browser.
 */
export function blockNavigation(
  contents: NavigationEvents,
  isAllowed: (url: string) => boolean,
  onBlocked: (url: string) => void = () => undefined,
): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (isAllowed(url)) return;
    event.preventDefault();
    onBlocked(url);
  };
  contents.on('will-navigate', (event, url) => guard(event, url));
  contents.on('will-redirect', (event, url) => guard(event, url));
  contents.on('will-frame-navigate', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked('<webview>');
  });
}
