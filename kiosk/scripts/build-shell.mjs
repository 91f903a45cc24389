import process from 'node:process';
import { buildShell } from '@medisync/desktop/shell/build';

await buildShell({ root: process.cwd(), main: 'src/main/index.ts', preload: 'src/preload/index.ts' });
