import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Probes run every few seconds; at info level they would drown everything else. */
const QUIET_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Gives every request an id (a load balancer's `x-request-id` when it looks
 * safe, else a new one), returns it in the response, and logs one line per
 * request when it finishes: method, path, status, duration. Never the query
 * string or the body, which may hold patient data.
 */
export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    // Routers rewrite req.path while they run; the path as requested is taken now.
    const path = req.path;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { requestId, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (QUIET_PATHS.has(path)) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}
