#!/usr/bin/env node
// `npm start`: the sync server (embedded PostgreSQL and the demo clinic unless
// DATABASE_URL says otherwise), then the desktop and kiosk apps when Electron is
// installed. Ctrl-C stops everything, the server last so the apps' final writes land.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 180_000;
const children = new Set();
let stopping = false;

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

// 1. The sync server.
const serverProcess = run(
  process.execPath,
  ['--conditions=@medisync/source', '--import', 'tsx', join('sync-server', 'src', 'main.ts')],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
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

// 2. The Electron apps, when their binary is there.
const electron = electronBinary();
if (electron === null) {
  say(
    `Electron is not installed on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD); the sync server keeps running at ${serverUrl}`,
  );
} else {
  const env = { ...process.env, MEDISYNC_SERVER_URL: serverUrl };
  for (const app of ['desktop', 'kiosk']) {
    const pkg = JSON.parse(readFileSync(join(root, app, 'package.json'), 'utf8'));
    if (!pkg.scripts?.start) continue;
    if (!existsSync(join(root, app, pkg.main ?? 'dist/main/index.js'))) {
      say(`building the ${app} app`);
      const build = run('npm', ['run', 'build', '-w', app], { stdio: 'inherit', env });
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
