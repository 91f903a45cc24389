import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import { apiClientOf } from '#api-clients/authenticate';

const KEY = /^[\x21-\x7e]{1,255}$/;
/** How long a repeat waits for the first request with its key to answer. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
const POLL_MS = 50;

/**
 * `Idempotency-Key` on a POST: the first request with a key runs and its answer
 * is stored with the key, per client; a repeat gets that same answer (with
 * `Idempotent-Replayed: true`) and changes nothing. A key reused for a different
 * request is refused with 422. A repeat that arrives while the first is still
 * running waits for its answer (up to `IDEMPOTENCY_WAIT_MS`) and returns it; past
 * that it is answered 409 `idempotency-in-progress` with `Retry-After`. An answer
 * of 5xx is not kept, so the client may retry with the same key (a waiting repeat
 * then runs the request itself).
 */
export function idempotent(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = req.header('idempotency-key');
    if (key === undefined) {
      next();
      return;
    }
    if (!KEY.test(key)) {
      throw new HttpError(
        400,
        'invalid-request',
        'invalid request: Idempotency-Key: expected 1-255 visible characters',
        {
          issues: [{ path: 'Idempotency-Key', message: 'expected 1-255 visible ASCII characters' }],
        },
      );
    }
    const client = apiClientOf(res);
    const requestHash = createHash('sha256')
      .update(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
    for (;;) {
      const claimed = await db.query(
        `INSERT INTO idempotency_keys (client_id, key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT (client_id, key) DO NOTHING RETURNING key`,
        [client.id, key, requestHash],
      );
      if (claimed.length > 0) break;
      const rows = await db.query<{ request_hash: string; status: number | null; body: unknown }>(
        `SELECT request_hash, status, body FROM idempotency_keys WHERE client_id = $1 AND key = $2`,
        [client.id, key],
      );
      const stored = rows[0];
      // The first request failed (5xx) and let the key go: this one claims it again.
      if (stored === undefined) continue;
      if (stored.request_hash !== requestHash) {
        throw new HttpError(422, 'idempotency-key-reused', 'this Idempotency-Key was used for a different request');
      }
      if (stored.status !== null) {
        res.setHeader('idempotent-replayed', 'true');
        res.status(stored.status).json(stored.body);
        return;
      }
      if (Date.now() >= deadline) {
        throw new HttpError(
          409,
          'idempotency-in-progress',
          'a request with this Idempotency-Key is still running: retry later for its answer',
          {},
          { 'retry-after': '1' },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const keep =
        res.statusCode < 500
          ? db.query(`UPDATE idempotency_keys SET status = $3, body = $4 WHERE client_id = $1 AND key = $2`, [
              client.id,
              key,
              res.statusCode,
              JSON.stringify(body ?? null),
            ])
          : db.query(`DELETE FROM idempotency_keys WHERE client_id = $1 AND key = $2`, [client.id, key]);
      // The answer goes out once it is stored, so an immediate repeat finds it.
      void keep.catch(() => undefined).then(() => send(body));
      return res;
    };
    next();
  };
}
