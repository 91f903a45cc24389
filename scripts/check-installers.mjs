#!/usr/bin/env node
// `npm run check:installers`: both apps' installer configurations
// (desktop/electron-builder.yml and kiosk/electron-builder.yml, each extending
// ./electron-builder.yml) loaded and checked against electron-builder's own
// schema, the check `electron-builder` runs before it builds anything. Needs
// neither Electron's binary nor the internet, so CI runs it on every change.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
// electron-builder's loader and validator; the package exports no public entry for them.
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
const { DebugLogger } = require('builder-util');

const REQUIRED_TARGETS = { linux: ['AppImage', 'deb'], win: ['nsis'], mac: ['dmg'] };

let failed = false;
for (const app of ['desktop', 'kiosk']) {
  try {
    const config = await getConfig(join(root, app), null, null);
    await validateConfiguration(config, new DebugLogger(false));
    for (const [platform, targets] of Object.entries(REQUIRED_TARGETS)) {
      const configured = [config[platform]?.target ?? []].flat().map((t) => (typeof t === 'string' ? t : t.target));
      const missing = targets.filter((target) => !configured.includes(target));
      if (missing.length > 0) throw new Error(`${platform} does not build ${missing.join(', ')}`);
    }
    console.log(`${app}: ${config.productName} (${config.appId}) is a valid electron-builder configuration`);
  } catch (error) {
    failed = true;
    console.error(`${app}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
