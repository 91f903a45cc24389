import type { Appointment, NoShowRisk, Site } from '@medisync/shared/domain';
import { changeRecord } from '@medisync/shared/domain';
import type { Logger } from 'pino';
import type { Db } from '#db/db';
import { Periodic } from '#ops/periodic';
import { serverClock, serverRules } from '#sync/rules';
import { pushRecords } from '#sync/store';
import { recordWebhookEvents } from '#webhooks/events';
import { bandOf, historiesOf, noShowModelSchema, predictNoShow, trainNoShowModel, type NoShowModel } from './model.js';

/** Advisory lock class of the no-show job; each site locks (this, hashtext(site id)). */
const NO_SHOW_LOCK = 7_274_150;
/** How far back a site's history is read, and how far ahead visits are scored. */
const HISTORY_DAYS = 365;
const AHEAD_DAYS = 14;
const DAY_MS = 86_400_000;
/** Training runs kept per site: enough to see how the model moved. */
const KEEP_MODELS = 10;
/** A score moves on a device only when it changed this much (or changed band): no churn from rounding. */
const SCORE_STEP = 0.01;

export interface NoShowDeps {
  db: Db;
  log: Logger;
}

export type NoShowRun = Record<string, { trained: boolean; scored: number } | 'skipped' | 'too-little-history'>;

/**
 * Retrains each site's model when its newest is older than `every` (or
 * always, with `force`), then scores the site's upcoming visits. Safe on
 * several instances at once: a site another instance is training is skipped
 * (`pg_try_advisory_xact_lock`), and a site trained within `every` is only
 * scored, so instances on the same schedule train each site once between them.
 */
export async function runNoShowModels(
  deps: NoShowDeps,
  options: { now?: Date; everyMs?: number; force?: boolean } = {},
): Promise<NoShowRun> {
  const now = options.now ?? new Date();
  const sites = await deps.db.query<{ doc: Site }>(`SELECT doc FROM sites WHERE NOT deleted ORDER BY id`);
  const run: NoShowRun = {};
  for (const { doc: site } of sites) {
    const trained = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
        [NO_SHOW_LOCK, site.id],
      );
      if (!rows[0]!.locked) return 'skipped' as const;
      const fresh = await tx.query(
        `SELECT 1 FROM no_show_models WHERE site_id = $1 AND trained_at > $2::timestamptz - $3 * interval '1 millisecond'`,
        [site.id, now.toISOString(), options.everyMs ?? 0],
      );
      if (fresh.rows.length > 0 && !options.force) return false;
      const history = await tx.query<{ doc: Appointment }>(
        `SELECT doc FROM appointments WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] AND doc->>'start' >= $2 AND doc->>'start' < $3`,
        [site.id, new Date(now.getTime() - HISTORY_DAYS * DAY_MS).toISOString(), now.toISOString()],
      );
      const model = trainNoShowModel(
        history.rows.map((r) => r.doc),
        site.timezone,
        now,
      );
      if (model === null) return 'too-little-history' as const;
      await tx.query(`INSERT INTO no_show_models (site_id, trained_at, model) VALUES ($1, $2, $3)`, [
        site.id,
        model.trainedAt,
        model,
      ]);
      await tx.query(
        `DELETE FROM no_show_models WHERE site_id = $1 AND id NOT IN (
           SELECT id FROM no_show_models WHERE site_id = $1 ORDER BY trained_at DESC, id DESC LIMIT $2)`,
        [site.id, KEEP_MODELS],
      );
      deps.log.info(
        { siteId: site.id, auc: model.quality.auc, testCount: model.quality.testCount },
        'no-show model trained',
      );
      return true;
    });
    if (trained === 'skipped' || trained === 'too-little-history') {
      run[site.id] = trained;
      continue;
    }
    run[site.id] = { trained, scored: await scoreUpcoming(deps, site, now) };
  }
  return run;
}

/** The newest model of a site, or null before its first training. */
export async function latestNoShowModel(db: Db, siteId: string): Promise<NoShowModel | null> {
  const rows = await db.query<{ model: unknown }>(
    `SELECT model FROM no_show_models WHERE site_id = $1 ORDER BY trained_at DESC, id DESC LIMIT 1`,
    [siteId],
  );
  return rows[0] === undefined ? null : noShowModelSchema.parse(rows[0].model);
}

/**
 * Writes the newest model's score onto each upcoming booked visit of the site
 * (the next AHEAD_DAYS), through the same push path as any server write; the
 * change feed then delivers it live to staff devices like any committed change
 * (docs/architecture.md §9.2). Kiosks never get it (§5.3).
 */
async function scoreUpcoming(deps: NoShowDeps, site: Site, now: Date): Promise<number> {
  const model = await latestNoShowModel(deps.db, site.id);
  if (model === null) return 0;
  const rows = await deps.db.query<{ doc: Appointment }>(
    `SELECT doc FROM appointments WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid]
       AND doc->>'start' >= $2 AND doc->>'start' < $3`,
    [
      site.id,
      new Date(now.getTime() - HISTORY_DAYS * DAY_MS).toISOString(),
      new Date(now.getTime() + AHEAD_DAYS * DAY_MS).toISOString(),
    ],
  );
  const visits = rows.map((r) => r.doc);
  const histories = historiesOf(visits);
  const scoredAt = now.toISOString();
  const changed = visits
    .filter((v) => v.start >= scoredAt && (v.status === 'booked' || v.status === 'pending'))
    .flatMap((visit) => {
      const probability = Math.round(predictNoShow(model, visit, histories.get(visit.id)!) * 1000) / 1000;
      const risk: NoShowRisk = { probability, band: bandOf(probability), scoredAt, model: model.trainedAt };
      const before = visit.noShowRisk;
      const same =
        before != null &&
        before.band === risk.band &&
        before.model === risk.model &&
        Math.abs(before.probability - probability) < SCORE_STEP;
      return same ? [] : [changeRecord('appointments', visit, { noShowRisk: risk }, serverClock)];
    });
  if (changed.length === 0) return 0;
  const result = await pushRecords(
    deps.db,
    'appointments',
    changed.map((record) => ({ newDocumentState: record as never })),
    { rules: serverRules, afterWrite: recordWebhookEvents },
  );
  if (result.rejected.length > 0) {
    deps.log.warn({ siteId: site.id, rejected: result.rejected.length }, 'some no-show scores were not written');
  }
  return changed.length - result.rejected.length;
}

/**
 * Retrains and rescores on every instance every `everyMs` (six hours by
 * default), the first time a short while after start.
 */
export function noShowSchedule(deps: NoShowDeps, everyMs = 6 * 60 * 60_000): Periodic {
  return new Periodic(
    {
      name: 'no-show model run',
      everyMs,
      run: async () => {
        await runNoShowModels(deps, { everyMs });
      },
    },
    deps.log,
  );
}
