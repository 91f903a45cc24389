import type { WebContents } from 'electron';

/** `window.open`, `target=_blank` and friends never create a window: the app has exactly the ones main makes. */
export function denyWindowOpen(
  contents: Pick<WebContents, 'setWindowOpenHandler'>,
  onDenied: (url: string) => void = () => undefined,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    onDenied(url);
    return { action: 'deny' };
  });
}
