import { text } from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { actorOf } from '#audit/audit-log';
import { principalOf, requestOrigin, requirePrincipal } from '#auth/authenticate';
import type { IdentityDeps } from '#auth/identity-deps';
import { siteSummary } from '#auth/site-summary';
import { HttpError, parseOrThrow } from '#http/errors';
import { adminReach } from '#users/router';
import { enrollmentRoles, getDevice, listDevices } from './queries.js';
import { createEnrollmentCode, enrollDevice, revokeDevice } from './service.js';

const enrollBody = z.object({
  code: text.trim().min(1).max(40),
  name: text.trim().min(1).max(100),
});

/** `POST /devices/enroll`: a desktop, kiosk or display exchanges its one-time code for a device token. */
export function enrollmentRouter(deps: IdentityDeps): express.Router {
  const router = express.Router();
  router.post('/enroll', async (req, res) => {
    const body = parseOrThrow(enrollBody, req.body, 'enrollment');
    const origin = requestOrigin(req);
    const ipKey = origin.ip ?? 'unknown';
    // Only failures count, but the check comes first: a locked-out guesser learns nothing, not even a hit.
    await deps.limiter.check(deps.limits.enrollPerIp, ipKey);
    const outcome = await enrollDevice(deps.db, deps.tokens, body.code, body.name);
    if (!outcome.ok) {
      await deps.limiter.hit(deps.limits.enrollPerIp, ipKey);
      if (outcome.reason === 'unknown') {
        throw new HttpError(
          401,
          'invalid-enrollment-code',
          'this enrollment code is not valid; check it or ask for a new one',
        );
      }
      throw new HttpError(
        410,
        `enrollment-code-${outcome.reason}`,
        outcome.reason === 'used'
          ? 'this enrollment code has already been used; ask an administrator for a new one'
          : 'this enrollment code has expired; ask an administrator for a new one',
      );
    }
    const { device, deviceToken } = outcome;
    const site = await siteSummary(deps.db, device.siteId);
    await deps.audit.record({
      actor: { kind: 'device', id: device.id, role: device.role, siteId: device.siteId },
      action: 'device-enrolled',
      via: 'POST /devices/enroll',
      ...origin,
      details: { name: device.name, label: device.label },
    });
    res.status(201).json({ deviceId: device.id, deviceToken, role: device.role, site });
  });
  return router;
}

const enrollmentCodeBody = z.object({
  siteId: z.uuid().optional(),
  role: z.enum(enrollmentRoles),
  label: text.trim().min(1).max(100),
});
const devicesQuery = z.object({ siteId: z.uuid().optional() });

/** Admin device management: enrollment codes, the device list, revocation. Mounted under `/admin`. */
export function adminDevicesRouter(deps: IdentityDeps): express.Router {
  const router = express.Router();
  const adminOnly = requirePrincipal(deps, ['admin']);

  router.post('/enrollment-codes', adminOnly, async (req, res) => {
    const principal = principalOf(res);
    const body = parseOrThrow(enrollmentCodeBody, req.body, 'enrollment code');
    const siteId = body.siteId ?? principal.siteId;
    await adminReach(deps, principal).require([siteId]);
    const created = await createEnrollmentCode(deps.db, {
      siteId,
      role: body.role,
      label: body.label,
      createdBy: principal.id,
    });
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'enrollment-code-created',
      via: 'POST /admin/enrollment-codes',
      siteId,
      ...requestOrigin(req),
      details: { role: body.role, label: body.label, expiresAt: created.expiresAt },
    });
    res.status(201).json({ ...created, siteId, role: body.role, label: body.label });
  });

  router.get('/devices', adminOnly, async (req, res) => {
    const principal = principalOf(res);
    const query = parseOrThrow(devicesQuery, req.query, 'query');
    const reach = adminReach(deps, principal);
    const siteIds =
      query.siteId === undefined ? await reach.sites() : (await reach.require([query.siteId]), [query.siteId]);
    res.json({ devices: await listDevices(deps.db, siteIds) });
  });

  router.post('/devices/:id/revoke', adminOnly, async (req, res) => {
    const principal = principalOf(res);
    const existing = await getDevice(deps.db, String(req.params.id));
    const reach = adminReach(deps, principal);
    if (existing === null || !(await reach.sites()).includes(existing.siteId)) {
      throw new HttpError(404, 'not-found', 'no such device at your sites');
    }
    const device = await revokeDevice(deps.db, deps.io, existing.id, principal.id);
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'device-revoked',
      via: 'POST /admin/devices/:id/revoke',
      siteId: existing.siteId,
      ...requestOrigin(req),
      details: { deviceId: existing.id, name: existing.name },
    });
    res.json({ device });
  });

  return router;
}
