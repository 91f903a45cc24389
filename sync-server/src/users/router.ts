import { newId, text } from '@medisync/shared/domain';
import express from 'express';
import { z } from 'zod';
import { actorOf } from '#audit/audit-log';
import { principalOf, requestOrigin, requirePrincipal } from '#auth/authenticate';
import type { IdentityDeps } from '#auth/identity-deps';
import { hashPassword, MIN_PASSWORD_LENGTH } from '#auth/passwords';
import type { Principal } from '#auth/principal';
import { revokeUserSessions } from '#auth/sessions';
import { siteSummaries } from '#auth/site-summary';
import { HttpError, parseOrThrow } from '#http/errors';
import { disconnectPrincipal } from '#sync/live';
import { getUser, insertUser, listUsers, setUserSites, staffRoles, updateUser, userSiteIds } from './queries.js';

const password = text.min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(500);
const siteIds = z.array(z.uuid()).min(1).max(50);

const createBody = z.object({
  email: z.email().max(200),
  displayName: text.trim().min(1).max(200),
  role: z.enum(staffRoles),
  password,
  /** Defaults to the admin's current site. */
  siteIds: siteIds.optional(),
});

const patchBody = z
  .object({
    displayName: text.trim().min(1).max(200).optional(),
    role: z.enum(staffRoles).optional(),
    active: z.boolean().optional(),
    /** Resets the password; every session of the user ends. */
    password: password.optional(),
    siteIds: siteIds.optional(),
  })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), { message: 'nothing to change' });

/**
 * Which sites an admin manages: those it works at. Every admin route checks
 * the sites a request touches against them, so one clinic's admin never sees
 * or changes another's staff, devices or audit log.
 */
export function adminReach(deps: Pick<IdentityDeps, 'db'>, principal: Principal) {
  let cached: Promise<string[]> | undefined;
  const sites = () => (cached ??= userSiteIds(deps.db, principal.id));
  return {
    sites,
    async require(requested: readonly string[]): Promise<void> {
      const own = await sites();
      const outside = requested.filter((s) => !own.includes(s));
      if (outside.length > 0) {
        throw new HttpError(403, 'site-not-allowed', 'you do not administer that site', { siteIds: outside });
      }
      const known = await siteSummaries(deps.db, requested);
      if (known.length !== new Set(requested).size) throw new HttpError(400, 'unknown-site', 'no such site');
    },
  };
}

/** `GET/POST /admin/users`, `PATCH /admin/users/:id`: staff accounts, for admins only. */
export function usersRouter(deps: IdentityDeps): express.Router {
  const router = express.Router();
  router.use(requirePrincipal(deps, ['admin']));

  router.get('/', async (_req, res) => {
    const principal = principalOf(res);
    const own = await adminReach(deps, principal).sites();
    // Another clinic's sites a user also works at are none of this admin's business.
    const users = (await listUsers(deps.db, own)).map((u) => ({
      ...u,
      siteIds: u.siteIds.filter((s) => own.includes(s)),
    }));
    res.json({ users });
  });

  router.post('/', async (req, res) => {
    const principal = principalOf(res);
    const body = parseOrThrow(createBody, req.body, 'user');
    const sites = body.siteIds ?? [principal.siteId];
    await adminReach(deps, principal).require(sites);
    const id = newId();
    const passwordHash = await hashPassword(body.password);
    const created = await deps.db.transaction(async (tx) => {
      if (
        !(await insertUser(tx, { id, email: body.email, displayName: body.displayName, role: body.role, passwordHash }))
      ) {
        return false;
      }
      await setUserSites(tx, id, sites);
      return true;
    });
    if (!created) throw new HttpError(409, 'email-taken', 'a user with this email already exists', { field: 'email' });
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'user-created',
      via: 'POST /admin/users',
      ...requestOrigin(req),
      details: { userId: id, role: body.role, siteIds: sites },
    });
    res.status(201).json({ user: await getUser(deps.db, id) });
  });

  router.patch('/:id', async (req, res) => {
    const principal = principalOf(res);
    const patch = parseOrThrow(patchBody, req.body, 'user change');
    const reach = adminReach(deps, principal);
    const own = await reach.sites();
    const id = String(req.params.id);
    const user = z.uuid().safeParse(id).success ? await getUser(deps.db, id) : null;
    if (user === null || !user.siteIds.some((s) => own.includes(s))) {
      throw new HttpError(404, 'not-found', 'no such user at your sites');
    }
    if (user.id === principal.id && (patch.active === false || patch.role === 'desk')) {
      throw new HttpError(409, 'cannot-demote-self', 'an admin cannot deactivate or demote their own account');
    }
    let sites: string[] | undefined;
    if (patch.siteIds !== undefined) {
      await reach.require(patch.siteIds);
      // Sites this admin does not manage stay as they are.
      sites = [...new Set([...user.siteIds.filter((s) => !own.includes(s)), ...patch.siteIds])];
    }
    const endsSessions =
      patch.password !== undefined ||
      patch.active === false ||
      (patch.role !== undefined && patch.role !== user.role) ||
      (sites !== undefined && user.siteIds.some((s) => !sites.includes(s)));
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    await deps.db.transaction(async (tx) => {
      await updateUser(tx, user.id, {
        ...(patch.displayName === undefined ? {} : { displayName: patch.displayName }),
        ...(patch.role === undefined ? {} : { role: patch.role }),
        ...(patch.active === undefined ? {} : { active: patch.active }),
        ...(passwordHash === undefined ? {} : { passwordHash }),
      });
      if (sites !== undefined) await setUserSites(tx, user.id, sites);
      if (endsSessions) await revokeUserSessions(tx, user.id, 'account-changed');
    });
    // Their apps stop at once and ask them to sign in again.
    if (endsSessions)
      disconnectPrincipal(deps.io, { kind: 'user', id: user.id }, 'your account was changed; sign in again');
    await deps.audit.record({
      actor: actorOf(principal),
      action: 'user-updated',
      via: 'PATCH /admin/users/:id',
      ...requestOrigin(req),
      details: {
        userId: user.id,
        changed: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined),
        sessionsEnded: endsSessions,
      },
    });
    res.json({ user: await getUser(deps.db, user.id) });
  });

  return router;
}
