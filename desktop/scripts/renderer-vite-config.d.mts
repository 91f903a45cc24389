import type { UserConfig } from 'vite';

export interface RendererBuild {
  /** The app package's folder. */
  root: string;
  /** HTML pages under src/renderer/ (without `.html`); default: index.html only. */
  pages?: readonly string[];
}

export function rendererViteConfig(app: RendererBuild): UserConfig;

/** Paths the sync server answers itself; the service worker never serves them from its cache. */
export const SERVER_ROUTES: readonly string[];
