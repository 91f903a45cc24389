/**
 * The desk renderer in Chromium, for `npm run bench` (full mode) and
 * `npm run bench -- --chromium`; never in `--quick`, which CI runs.
 *
 * It builds the desk renderer, serves it from a server of its own (the demo
 * clinic in a database of its own, grown with bench patients and their
 * history), signs in as the demo desk in a system Chromium and measures, inside
 * the page with performance.now(): sign-in to today's list shown and to the
 * first sync complete; keystroke to results in the top-bar patient search; a
 * check-in's click to its status chip repainted; a queue action's click (Call
 * next, In room, Done) to its card repainted; and the JS heap after the first
 * sync (CDP Performance.getMetrics, after a garbage collection).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { PatientSearchIndex, type Patient } from '@medisync/shared/domain';
import { loadConfig } from '#config';
import { createLogger } from '#logger';
import { startServer, type RunningServer } from '#server';
import { clinicMorningTimezone } from '#seed/demo-clinic';
import { appointmentRecord, patientRecord, rawInsert } from './records.js';

export interface ChromiumRow {
  what: string;
  measured: string;
  baseline: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

export interface ChromiumBenchOptions {
  /** A PostgreSQL server where the bench may create and drop a database. */
  adminUrl: string;
  /** Bench patients added to the demo clinic, three past visits each. */
  patients: number;
  say: (line: string) => void;
  row: (...row: [string, string, string, number | null, string, boolean | null]) => void;
  /** Where to write CPU profiles of the timed interactions; none when absent. */
  profileDir?: string;
  /** Only the first sync and the heap after it, not the search, check-in and queue figures. */
  firstSyncOnly?: boolean;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = resolve(here, '../../..');
const SEARCH_SAMPLES = 20;
const REPAINT_SAMPLES = 10;
/** Patients taken through the queue board, three timed actions each. */
const QUEUE_SAMPLES = 10;
const DESK = { email: 'desk@demo.clinic', password: 'medisync-demo' };

/** The desktop's browser helpers, loaded at run time: they live in another project of the monorepo. */
interface BrowserHelpers {
  buildRenderer(configFile: string): Promise<{ dir: string; remove(): Promise<void> }>;
  launchChromium(): Promise<Browser>;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export async function benchChromium(options: ChromiumBenchOptions): Promise<void> {
  const { say, row } = options;
  const helpersPath = join(REPO_ROOT, 'desktop', 'e2e', 'browser.ts');
  const helpers = (await import(helpersPath)) as BrowserHelpers & { findChromium(): string | null };
  if (helpers.findChromium() === null) {
    say('Chromium: no Chromium found (set CHROME_PATH or install chromium); not measured');
    row('desk in Chromium', 'not measured: no Chromium found', '', null, '', null);
    return;
  }
  say('Chromium: building the desk renderer');
  const renderer = await helpers.buildRenderer(join(REPO_ROOT, 'desktop', 'vite.config.ts'));
  const name = `medisync_bench_ui_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(options.adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer(
      {
        ...loadConfig({}),
        host: '127.0.0.1',
        port: 0,
        databaseUrl: url.toString(),
        dataDir: join(tmpdir(), 'medisync-bench-data'),
        logLevel: 'silent',
        demo: true,
        // Just before the clinic opens, whatever the hour: each run finds the same day ahead of the desk.
        demoTimezone: clinicMorningTimezone(new Date()),
        corsOrigins: [],
        tokenSecret: randomBytes(48).toString('base64url'),
      },
      { log: createLogger('silent'), renderers: [{ mount: '/app/desktop', dir: renderer.dir }] },
    );
    const seeded = await growDemoClinic(server, options.patients);
    say(
      `  Chromium: demo clinic grown to ${seeded.patients.length.toLocaleString('en')} patients, ${seeded.documents.toLocaleString('en')} documents`,
    );
    browser = await helpers.launchChromium();
    // The page's CSP forbids eval, which Playwright's string predicates use; the bench's probes only read the DOM.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.addInitScript(INIT_SCRIPT);
    await page.goto(`${server.url}/app/desktop/`);
    await page.getByLabel('Email').fill(DESK.email);
    await page.getByLabel('Password').fill(DESK.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const marks = await waitForMarks(page, ['today'], 120_000);
    const todayMs = marks.today! - marks.signIn!;
    say(`  Chromium: today usable after ${(todayMs / 1000).toFixed(2)} s; waiting for the first sync`);
    const synced = await waitForMarks(page, ['synced'], 1_200_000);
    const syncMs = synced.synced! - synced.signIn!;
    const total = seeded.documents;
    row(
      `first sync of a desk in Chromium (IndexedDB), ${seeded.patients.length.toLocaleString('en')} patients, ~${total.toLocaleString('en')} docs`,
      `${(syncMs / 1000).toFixed(1)} s (${Math.round((total / syncMs) * 1000).toLocaleString('en')} docs/s); today usable after ${(todayMs / 1000).toFixed(2)} s`,
      'sign-in click to the sync bar\'s "Online" with no progress left',
      null,
      'today usable ≤ 1.5 s, first sync ≤ 60 s',
      todayMs <= 1500 && syncMs <= 60_000,
    );

    // The heap once the replica is full, after a garbage collection.
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    const heapTotal = metrics.find((m) => m.name === 'JSHeapTotalSize')?.value ?? NaN;
    row(
      `desk renderer JS heap after the first sync, ${seeded.patients.length.toLocaleString('en')} patients`,
      `${Math.round(heap / 2 ** 20)} MB used (${Math.round(heapTotal / 2 ** 20)} MB allocated)`,
      '',
      null,
      'informational',
      null,
    );

    if (options.firstSyncOnly) {
      await context.close();
      return;
    }
    const profiled = <T>(what: string, run: () => Promise<T>) =>
      options.profileDir === undefined ? run() : withCpuProfile(cdp, join(options.profileDir, what), run, say);
    const search = await profiled('desk-search', () => benchSearch(page, seeded.index)).catch(
      async (error: unknown) => {
        const shown = await page
          .locator('[role="listbox"]')
          .first()
          .textContent({ timeout: 1_000 })
          .catch(() => null);
        say(
          `  Chromium: search not measured: ${String(error).split('\n')[0]}; the list showed ${JSON.stringify(shown)}`,
        );
        return [];
      },
    );
    row(
      `patient search in Chromium, ${seeded.patients.length.toLocaleString('en')} patients: keystroke to results (p50/p95, ${search.length} keystrokes)`,
      `${ms(pct(search, 50))} / ${ms(pct(search, 95))}`,
      'keydown to the result list showing the expected count, at the next frame',
      null,
      '≤ 50 ms',
      pct(search, 95) <= 50,
    );

    await page.keyboard.press('Escape');
    const repaint = await profiled('desk-check-in', () => benchRepaint(page)).catch((error: unknown) => {
      say(`  Chromium: repaint not measured: ${String(error).split('\n')[0]}`);
      return [];
    });
    row(
      `check-in from Today in Chromium: click to status chip repainted (p50/p95, ${repaint.length} check-ins)`,
      `${ms(pct(repaint, 50))} / ${ms(pct(repaint, 95))}`,
      'click on "Check in" to the chip\'s new text, at the next frame',
      null,
      'p95 ≤ 50 ms',
      pct(repaint, 95) <= 50,
    );

    const queue = await profiled('desk-queue', () => benchQueue(page)).catch((error: unknown) => {
      say(`  Chromium: queue actions not measured: ${String(error).split('\n')[0]}`);
      return [];
    });
    row(
      `queue actions in Chromium: click to card repainted (p50/p95, ${queue.length} actions: Call next, In room, Done)`,
      `${ms(pct(queue, 50))} / ${ms(pct(queue, 95))}`,
      "click on the card's button to its new state text, at the next frame",
      null,
      'p95 ≤ 50 ms',
      pct(queue, 95) <= 50,
    );
    await context.close();
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await admin(options.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await renderer.remove();
  }
}

/**
 * Runs in the page before its own scripts: marks the sign-in click, today's
 * list first shown, and the first sync done, and serves the timed probes below.
 * A string, as the desktop's tests do: the server's types know no DOM.
 */
const INIT_SCRIPT = `(() => {
  const bench = (window.__bench = { marks: {}, probe: null });
  const now = () => performance.now();
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    const text = button ? button.textContent.trim() : '';
    if (text === 'Sign in') bench.marks.signIn = now();
    if (bench.probe && bench.probe.kind === 'click' && bench.probe.t0 === null && text === bench.probe.button) bench.probe.t0 = now();
  }, true);
  document.addEventListener('keydown', () => {
    if (bench.probe && bench.probe.kind === 'key' && bench.probe.t0 === null) bench.probe.t0 = now();
  }, true);
  const check = () => {
    const m = bench.marks;
    if (m.signIn !== undefined && m.today === undefined) {
      const h1 = document.querySelector('h1');
      if (h1 && /^Today/.test(h1.textContent || '') && document.querySelector('[data-testid="appointment"]')) m.today = now();
    }
    if (m.today !== undefined && m.synced === undefined) {
      const label = document.querySelector('[data-testid="sync-label"]');
      if (label && label.textContent === 'Online' && !document.querySelector('.sync-status__progress')) m.synced = now();
    }
    const p = bench.probe;
    if (p && p.t0 !== null && p.t1 === null && !p.matched) {
      const el = document.querySelector(p.selector);
      const text = el ? el.textContent : null;
      if (p.expect !== undefined ? text === p.expect : text !== null && text !== p.before) {
        p.matched = true;
        requestAnimationFrame(() => (p.t1 = now()));
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

/** Runs `run` under the page's CPU profiler and writes the profile to `<file>.cpuprofile`. */
async function withCpuProfile<T>(
  cdp: CDPSession,
  file: string,
  run: () => Promise<T>,
  say: (line: string) => void,
): Promise<T> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.cpuprofile`, JSON.stringify(profile));
    say(`  Chromium: CPU profile written to ${file}.cpuprofile`);
  }
}

type Marks = Partial<Record<'signIn' | 'today' | 'synced', number>>;

async function waitForMarks(page: Page, names: (keyof Marks)[], timeout: number): Promise<Marks> {
  await page.waitForFunction(
    `(${JSON.stringify(names)}).every((n) => window.__bench.marks[n] !== undefined)`,
    undefined,
    { timeout, polling: 100 },
  );
  return page.evaluate<Marks>('window.__bench.marks');
}

interface Probe {
  kind: 'key' | 'click';
  selector: string;
  expect?: string;
  before?: string | null;
  button?: string;
}

/** Arms a probe, runs the action, and returns the probe's time from the input to the expected DOM at the next frame. */
async function timed(page: Page, probe: Probe, action: () => Promise<void>): Promise<number> {
  await page.evaluate(`window.__bench.probe = { ...${JSON.stringify(probe)}, t0: null, t1: null, matched: false }`);
  await action();
  await page.waitForFunction('window.__bench.probe.t1 !== null', undefined, { timeout: 30_000, polling: 'raf' });
  const { t0, t1 } = await page.evaluate<{ t0: number; t1: number }>('window.__bench.probe');
  await page.evaluate('window.__bench.probe = null');
  return t1 - t0;
}

/** What the search list's last option says for a result (PatientSearch.tsx). */
function lastOption(query: string, total: number) {
  return total === 0
    ? `No patient matches “${query.trim()}”: register a new patient`
    : total === 1
      ? 'Show the match on the Patients screen'
      : `Show all ${total} matches on the Patients screen`;
}

/**
 * Each sample: the box holds a prefix of a bench patient's name (put there
 * untimed), then one real keystroke narrows it; timed from the keydown to the
 * list showing the count the same index finds in Node.
 */
async function benchSearch(page: Page, index: PatientSearchIndex): Promise<number[]> {
  const box = page.getByRole('combobox', { name: 'Find a patient' });
  await page.keyboard.press('Escape');
  await page.keyboard.press('/');
  await box.waitFor();
  const latencies: number[] = [];
  const selector = '[role="listbox"] .option--all';
  for (let i = 0; latencies.length < SEARCH_SAMPLES && i < SEARCH_SAMPLES * 5; i++) {
    const typed = i % 2 === 0 ? `Given${13 + i * 7}` : `Family${11 + i * 13}`;
    const base = typed.slice(0, -1);
    const key = typed.at(-1)!;
    const before = index.search(base, 8).total;
    const after = index.search(typed, 8).total;
    if (before === after) continue;
    // A real keystroke after the fill: React Aria opens the list on typing.
    await box.fill(base.slice(0, -1));
    await box.press(base.at(-1)!);
    await page.waitForFunction(
      `document.querySelector(${JSON.stringify(selector)})?.textContent === ${JSON.stringify(lastOption(base, before))}`,
      undefined,
      { timeout: 30_000 },
    );
    latencies.push(
      await timed(page, { kind: 'key', selector, expect: lastOption(typed, after) }, () => box.press(key)),
    );
  }
  await box.fill('');
  await page.keyboard.press('Escape');
  return latencies;
}

/** Checks in booked appointments from Today through the visit panel, timing the click to the chip's new text. */
async function benchRepaint(page: Page): Promise<number[]> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Today/ })
    .click();
  await page.getByRole('heading', { level: 1, name: /^Today/ }).waitFor();
  const ids = (
    await page
      .locator('[data-testid="appointment"][data-status="booked"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-appointment-id')))
  ).filter((id): id is string => id !== null);
  const latencies: number[] = [];
  for (const id of ids.slice(0, REPAINT_SAMPLES)) {
    const card = page.locator(`[data-testid="appointment"][data-appointment-id="${id}"]`);
    const selector = `[data-testid="appointment"][data-appointment-id="${id}"] [data-testid="appointment-status"]`;
    const before = await card.getByTestId('appointment-status').textContent();
    await card.locator('[data-visit-trigger]').click();
    const checkIn = page.getByTestId('visit-panel').getByRole('button', { name: 'Check in', exact: true });
    await checkIn.waitFor();
    latencies.push(await timed(page, { kind: 'click', selector, before, button: 'Check in' }, () => checkIn.click()));
    await page.keyboard.press('Escape');
    await page
      .getByTestId('visit-panel')
      .waitFor({ state: 'hidden', timeout: 5_000 })
      .catch(() => undefined);
  }
  return latencies;
}

/**
 * Takes the patients just checked in through the queue board: Call next to
 * Exam 3, In room, Done, each timed from the click to the card's new state.
 * Exam 3 has what every demo visit needs (a well-child visit's infant scale),
 * so Call next never asks for another room, and Done frees it again.
 */
async function benchQueue(page: Page): Promise<number[]> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: /^Queue/ })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
  const next = page.getByRole('button', { name: /^Call next: / });
  // The board reads the replica after its heading shows: the patients checked in above are on it then.
  await next.waitFor({ timeout: 15_000 });
  const latencies: number[] = [];
  for (let i = 0; i < QUEUE_SAMPLES && (await next.count()) > 0; i++) {
    const label = (await next.textContent())!;
    const ticket = label.slice('Call next: '.length);
    const state = `[data-testid="queue-card"][data-ticket="${ticket}"] [data-testid="queue-card-state"]`;
    await page.getByRole('button', { name: /Call to room/ }).click();
    await page.getByRole('option', { name: /^Exam 3/ }).click();
    const steps: [button: string, press: () => Promise<void>][] = [
      [label, () => next.click()],
      ['In room', () => page.getByRole('button', { name: `In room ${ticket}` }).click()],
      ['Done', () => page.getByRole('button', { name: `Done ${ticket}` }).click()],
    ];
    for (const [button, press] of steps) {
      const before = await page.locator(state).textContent();
      latencies.push(await timed(page, { kind: 'click', selector: state, before, button }, press));
    }
  }
  return latencies;
}

/**
 * The demo clinic (its staff, today's schedule) plus `patients` bench patients
 * with three past visits each, written straight into the tables in batches as
 * the main bench seeds; returns a search index over every patient of the site.
 */
async function growDemoClinic(server: RunningServer, patients: number) {
  const [site] = await server.db.query<{ id: string }>(
    'SELECT site_ids[1] AS id FROM patients GROUP BY 1 ORDER BY count(*) DESC LIMIT 1',
  );
  const siteId = site!.id;
  const providerIds = (
    await server.db.query<{ id: string }>('SELECT id FROM providers WHERE $1::uuid = ANY(site_ids)', [siteId])
  ).map((r) => r.id);
  const docs = Array.from({ length: patients }, (_, i) => patientRecord(siteId, i));
  await rawInsert(server.db.pool, 'patients', siteId, docs);
  const dayStart = new Date();
  dayStart.setUTCHours(0, 0, 0, 0);
  const appointments = Array.from({ length: patients * 3 }, (_, i) =>
    appointmentRecord(
      siteId,
      docs[i % patients]!.id,
      providerIds[i % providerIds.length]!,
      dayStart.getTime() - (1 + (i % 700)) * 86_400_000 + (i % 32) * 900_000,
    ),
  );
  await rawInsert(server.db.pool, 'appointments', siteId, appointments);
  await server.db.query('ANALYZE');
  const all = await server.db.query<{ doc: Patient }>('SELECT doc FROM patients WHERE $1::uuid = ANY(site_ids)', [
    siteId,
  ]);
  const index = new PatientSearchIndex();
  for (const { doc } of all) index.upsert(doc);
  const [count] = await server.db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM patients) + (SELECT count(*) FROM appointments) + (SELECT count(*) FROM queue_entries) AS n`,
  );
  return { patients: all, index, documents: Number(count!.n) };
}

async function admin(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
