export interface ShellBuild {
  /** The app package's folder. */
  root: string;
  /** Entry points, relative to `root`. */
  main: string;
  preload: string;
  /** Default `dist` under `root`. */
  outDir?: string;
}

export function buildShell(app: ShellBuild): Promise<void>;
