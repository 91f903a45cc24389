import { identityKey, localDate, text } from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { actorOf } from '#audit/audit-log';
import { principalOf, requestOrigin, requirePrincipal } from '#auth/authenticate';
import type { IdentityDeps } from '#auth/identity-deps';
import { parseOrThrow } from '#http/errors';

const identifyBody = z.object({
  familyName: text.trim().min(1).max(100),
  dob: localDate,
});

const MAX_MATCHES = 5;

/**
 * `POST /kiosk/identify`: finds a patient of the kiosk's site by family name and
 * date of birth, for walk-ins (a kiosk holds no patients, only today's
 * appointments). Answers no more than a kiosk may show: the patient id to
 * attach a queue entry to, the given name and the family initial.
 *
 * Guessing is throttled per device in PostgreSQL, as on the kiosk itself
 * (domain/kiosk-lockout.ts): a few misses lock lookups for a while, and every
 * lookup counts toward an hourly ceiling, so a kiosk cannot be used to walk the
 * patient list.
 */
export function kioskRouter(deps: IdentityDeps): express.Router {
  const router = express.Router();
  router.post('/identify', requirePrincipal(deps, ['kiosk']), async (req, res) => {
    const principal = principalOf(res);
    const body = parseOrThrow(identifyBody, req.body, 'identity lookup');
    await deps.limiter.check(deps.limits.kioskMissesPerDevice, principal.id);
    await deps.limiter.hit(deps.limits.kioskLookupsPerDevice, principal.id);

    const key = identityKey(body.familyName, body.dob);
    const candidates = await deps.db.query<{ id: string; givenName: string; familyName: string }>(
      `SELECT id, doc->>'givenName' AS "givenName", doc->>'familyName' AS "familyName"
         FROM patients
        WHERE site_ids @> ARRAY[$1::uuid] AND NOT deleted AND doc->>'dob' = $2
          AND doc->>'mergedInto' IS NULL AND (doc->>'active')::boolean
        ORDER BY id LIMIT 500`,
      [principal.siteId, body.dob],
    );
    const matches = candidates
      .filter((p) => identityKey(p.familyName, body.dob) === key)
      .slice(0, MAX_MATCHES)
      .map((p) => ({
        patientId: p.id,
        givenName: p.givenName,
        familyInitial: (Array.from(p.familyName.trim())[0] ?? '').toUpperCase(),
      }));
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'read',
      collection: 'patients',
      recordIds: matches.map((m) => m.patientId),
      via: 'POST /kiosk/identify',
      ...requestOrigin(req),
      details: { matched: matches.length },
    });
    if (matches.length === 0) await deps.limiter.hit(deps.limits.kioskMissesPerDevice, principal.id);
    res.json({ matches });
  });
  return router;
}
