import { collectionNames } from '@medisync/shared/domain';
import express from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Server } from 'socket.io';
import type { ChangeFeed } from '#changes/feed';
import type { Db } from '#db/db';

/**
 * Prometheus metrics of one server instance (docs/architecture.md §9.8), at
 * `GET /metrics` in the text format. Counts only: no label ever carries a
 * patient, a user or a record id. Request counts and latencies are this
 * instance's; connected devices are the sockets on this instance; backlogs
 * and failures are read from the database at each scrape, so every instance
 * reports the same; committed changes follow the change feed (§9.2).
 */
export interface Metrics {
  registry: Registry;
  /** Counts and times every HTTP request; mount before the routes. */
  middleware: express.RequestHandler;
  /** `GET /metrics`. */
  router: express.Router;
  /** Stops following the change feed. */
  stop(): void;
}

const deviceRoles = ['admin', 'desk', 'kiosk', 'display', 'integration'] as const;
const SYNC_ROUTE = /^\/sync\/([^/]+)\/(push|pull)$/;

export function createMetrics(deps: { db: Db; io: Server; changes: ChangeFeed }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'medisync_' });

  const requests = new Counter({
    name: 'medisync_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'medisync_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const syncRequests = new Counter({
    name: 'medisync_sync_requests_total',
    help: 'Sync pushes and pulls answered, by kind, collection and outcome (ok or error)',
    labelNames: ['kind', 'collection', 'outcome'] as const,
    registers: [registry],
  });
  const syncLatency = new Histogram({
    name: 'medisync_sync_request_duration_seconds',
    help: 'Time to answer a sync push or pull, by kind',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'medisync_connected_devices',
    help: 'Live (socket.io) connections on this instance, by role',
    labelNames: ['role'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const role of deviceRoles) this.set({ role }, 0);
      for (const socket of deps.io.of('/').sockets.values()) {
        const role = (socket.data as { principal?: { role?: string } }).principal?.role;
        if (role !== undefined && (deviceRoles as readonly string[]).includes(role)) this.inc({ role });
      }
    },
  });
  new Gauge({
    name: 'medisync_outbox_backlog',
    help: 'Messages waiting to go out, by outlet (webhook deliveries, reminder messages)',
    labelNames: ['outlet'] as const,
    registers: [registry],
    async collect() {
      const rows = await deps.db.query<{ outlet: string; n: string }>(
        `SELECT 'webhooks' AS outlet, count(*) AS n FROM webhook_deliveries WHERE state = 'pending'
         UNION ALL SELECT 'reminders', count(*) FROM reminder_messages WHERE state IN ('pending', 'sending')`,
      );
      for (const row of rows) this.set({ outlet: row.outlet }, Number(row.n));
    },
  });
  new Gauge({
    name: 'medisync_delivery_failures',
    help: 'Messages given up after their last retry and still on record, by outlet',
    labelNames: ['outlet'] as const,
    registers: [registry],
    async collect() {
      const rows = await deps.db.query<{ outlet: string; n: string }>(
        `SELECT 'webhooks' AS outlet, count(*) AS n FROM webhook_deliveries WHERE state = 'failed'
         UNION ALL SELECT 'reminders', count(*) FROM reminder_messages WHERE state IN ('failed', 'uncertain')`,
      );
      for (const row of rows) this.set({ outlet: row.outlet }, Number(row.n));
    },
  });
  const committed = new Counter({
    name: 'medisync_committed_records_total',
    help: 'Records committed by any instance (devices, API, server jobs), by collection, from the change feed',
    labelNames: ['collection'] as const,
    registers: [registry],
  });
  for (const collection of collectionNames) committed.inc({ collection }, 0);
  const unsubscribe = deps.changes.onCommitted((change) => {
    committed.inc({ collection: change.collection }, change.records.length);
  });

  const middleware: express.RequestHandler = (req, res, next) => {
    const stop = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - stop) / 1e9;
      // The route pattern, never the path: ids in paths would make a series per record.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      latency.observe({ method: req.method, route }, seconds);
      const sync = SYNC_ROUTE.exec(route);
      if (sync !== null) {
        const collection = (collectionNames as readonly string[]).includes(String(req.params.collection))
          ? String(req.params.collection)
          : 'unknown';
        const kind = sync[2]!;
        syncRequests.inc({ kind, collection, outcome: res.statusCode < 400 ? 'ok' : 'error' });
        syncLatency.observe({ kind }, seconds);
      }
    });
    next();
  };

  const router = express.Router();
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  return { registry, middleware, router, stop: unsubscribe };
}
