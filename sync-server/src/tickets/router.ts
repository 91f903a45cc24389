import express from 'express';
import { z } from 'zod';
import { localDate, text } from '@medisync/shared/domain';
import { principalOf, requirePrincipal, type AuthDeps } from '#auth/authenticate';
import type { Db } from '#db/db';
import { HttpError, parseOrThrow } from '#http/errors';
import { leaseTicketBlock } from './leases.js';

const leaseBody = z.object({
  queue: text.min(1).max(32),
  date: localDate.optional(),
  size: z.number().int().min(1).max(500).default(50),
  /** A signed-in desk names its local replica; an enrolled device is its own key. */
  deviceId: z.uuid().optional(),
});

/** `POST /tickets/blocks`: lease a block of ticket numbers for offline check-ins. */
export function ticketsRouter(deps: AuthDeps & { db: Db }): express.Router {
  const router = express.Router();
  router.post('/blocks', requirePrincipal(deps, ['admin', 'desk', 'kiosk']), async (req, res) => {
    const principal = principalOf(res);
    const body = parseOrThrow(leaseBody, req.body, 'ticket block lease');
    const deviceKey = principal.kind === 'device' ? principal.id : body.deviceId;
    if (deviceKey === undefined) {
      throw new HttpError(400, 'invalid-request', 'a signed-in desk must name its replica', {
        issues: [{ path: 'deviceId', message: 'required for staff sessions' }],
      });
    }
    const block = await deps.db.transaction((tx) =>
      leaseTicketBlock(tx, {
        siteId: principal.siteId,
        deviceKey,
        queue: body.queue,
        size: body.size,
        ...(body.date ? { date: body.date } : {}),
      }),
    );
    res.status(201).json(block);
  });
  return router;
}
