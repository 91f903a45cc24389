import type { UserConfig } from 'vite';

export interface RendererBuild {
  /** The app package's folder. */
  root: string;
  /** HTML pages under src/renderer/ (without `.html`); default: index.html only. */
  pages?: readonly string[];
}

export function rendererViteConfig(app: RendererBuild): UserConfig;
