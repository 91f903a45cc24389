#!/usr/bin/env node
// `npm start`: the sync server (embedded PostgreSQL and the demo clinic unless
// DATABASE_URL says otherwise) serving the desk, kiosk and display web apps,
// built first when missing or out of date; then the desktop and kiosk Electron
// apps where Electron is installed. Ctrl-C stops everything, the server last so
// the apps' final writes land.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 180_000;
const children = new Set();
let stopping = false;

/** What a renderer's build depends on: its sources and the shared code it imports, its build config, the lockfile. */
const BUILD_INPUTS = {
  desktop: ['shared/src', 'desktop/src/renderer', 'desktop/src/common', 'desktop/scripts', 'desktop/vite.config.ts'],
  kiosk: [
    'shared/src',
    'desktop/src/renderer',
    'desktop/src/common',
    'desktop/scripts',
    'kiosk/src/renderer',
    'kiosk/vite.config.ts',
  ],
};

/**
 * Children run in their own process groups, so a Ctrl-C reaches only this
 * script, which then asks each child once to stop: the server shuts down in
 * order (HTTP, sockets, pool, database) instead of everything at once.
 */
function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, detached: true, ...options });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function say(message) {
  console.log(`[medisync] ${message}`);
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const server = [...children].find((c) => c === serverProcess);
  const others = [...children].filter((c) => c !== serverProcess);
  await Promise.all(others.map((child) => stop(child)));
  if (server) await stop(server);
  process.exit(code);
}

/**
 * The server gets one SIGTERM and stops its own database; an app started
 * through npm is stopped with its whole process group, Electron included.
 */
function stop(child) {
  const signal = (name) => {
    try {
      if (child === serverProcess) child.kill(name);
      else process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => signal('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    signal('SIGTERM');
  });
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// 1. The sync server, while the web apps build: it serves them once they are there.
const serverProcess = run(
  process.execPath,
  ['--conditions=@medisync/source', '--import', 'tsx', join('sync-server', 'src', 'main.ts')],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const built = buildWebApps();
const serverUrl = await new Promise((resolve) => {
  let buffered = '';
  serverProcess.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk.toString();
    const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
    if (match) {
      buffered = '';
      resolve(match[1]);
    }
    if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
  });
  serverProcess.on('exit', (code) => {
    if (!stopping) {
      say(`the sync server stopped (exit code ${code ?? 'signal'})`);
      void stopAll(code === 0 || code === null ? 1 : code);
    }
  });
});

await waitUntilReady(serverUrl);
say(`sync server ready at ${serverUrl}`);
if (await built) {
  say(`desk (reception):       ${serverUrl}/app/desktop/`);
  say(`kiosk (self check-in):  ${serverUrl}/app/kiosk/check-in.html`);
  say(`waiting-room display:   ${serverUrl}/app/kiosk/display.html`);
  say(
    'to enroll a kiosk or display, an admin creates a one-time code (npm run enrollment-code -- kiosk, or -- display) and types it into the page',
  );
}

// 2. The Electron apps, when their binary is there.
const electron = electronBinary();
if (electron === null) {
  say(
    `Electron is not installed on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD), so no app windows open; open the web apps above`,
  );
} else {
  const env = { ...process.env, MEDISYNC_SERVER_URL: serverUrl };
  for (const app of ['desktop', 'kiosk']) {
    const pkg = JSON.parse(readFileSync(join(root, app, 'package.json'), 'utf8'));
    if (!pkg.scripts?.start) continue;
    // Electron loads the renderer from the app's own dist/renderer/, which step 1 built unless RENDERERS_DIR moved it.
    const shellOnly = rendererDir(app) === join(root, app, 'dist', 'renderer');
    if (!existsSync(join(root, app, pkg.main ?? 'dist/main/index.js')) || !shellOnly) {
      say(`building the ${app} app`);
      const build = shellOnly
        ? run(process.execPath, ['scripts/build-shell.mjs'], { cwd: join(root, app), stdio: 'inherit', env })
        : run('npm', ['run', 'build', '-w', app], { stdio: 'inherit', env });
      const code = await new Promise((resolve) => build.on('exit', resolve));
      if (code !== 0) {
        say(`the ${app} app did not build (exit code ${code}); the sync server keeps running at ${serverUrl}`);
        continue;
      }
    }
    const child = run('npm', ['run', 'start', '-w', app], { stdio: 'inherit', env });
    say(`started the ${app} app`);
    if (app === 'desktop') {
      // Closing the reception app ends the session.
      child.on('exit', () => void stopAll(0));
    }
  }
}

/**
 * The web builds of both renderers, where the server looks for them
 * (RENDERERS_DIR/<app>, else each app's dist/renderer/), rebuilt only when
 * their sources changed since the last build: a hash of the sources is kept
 * beside each build. One at a time: two builds at once only fight over the CPU.
 * Resolves to false when one failed, after saying so.
 */
async function buildWebApps() {
  for (const app of ['desktop', 'kiosk']) {
    const outDir = rendererDir(app);
    const hash = await sourceHash(app);
    const stamp = join(outDir, '.source-hash');
    const current = await readFile(stamp, 'utf8').catch(() => null);
    if (current === hash && existsSync(join(outDir, 'sw.js'))) continue;
    say(
      `building the ${app} web app into ${relative(root, outDir) || outDir} (${current === null ? 'not built yet' : 'sources changed'})`,
    );
    const vite = join(
      dirname(createRequire(join(root, app, 'package.json')).resolve('vite/package.json')),
      'bin',
      'vite.js',
    );
    const build = run(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: join(root, app),
      stdio: ['ignore', 'inherit', 'inherit'],
      // A test runner's NODE_ENV=test would give React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const code = await new Promise((done) => build.on('exit', done));
    if (stopping) return false;
    if (code !== 0) {
      say(`the ${app} web app did not build (exit code ${code}); see the errors above`);
      return false;
    }
    await writeFile(stamp, hash);
  }
  return true;
}

function rendererDir(app) {
  const dir = process.env.RENDERERS_DIR?.trim();
  return dir ? resolve(dir, app) : join(root, app, 'dist', 'renderer');
}

async function sourceHash(app) {
  const hash = createHash('sha256');
  const files = [];
  for (const input of [...BUILD_INPUTS[app], 'package-lock.json']) files.push(...(await filesUnder(join(root, input))));
  for (const file of files.sort()) {
    hash.update(relative(root, file)).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function filesUnder(path) {
  const entries = await readdir(path, { withFileTypes: true }).catch((error) => {
    if (error.code === 'ENOTDIR') return null;
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries === null) return [path];
  const files = [];
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || /\.test\.tsx?$/.test(entry.name)) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

async function waitUntilReady(url) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await globalThis.fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      say(`the sync server at ${url} did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
      await stopAll(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The Electron executable, or null when its install script could not download it. */
function electronBinary() {
  try {
    const require = createRequire(join(root, 'desktop', 'package.json'));
    const dir = dirname(require.resolve('electron/package.json'));
    const relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    const binary = join(dir, 'dist', relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}
