import express from 'express';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { AuditLog } from '#audit/audit-log';
import { apiClientsRouter } from '#api-clients/router';
import type { IsActive } from '#auth/authenticate';
import { createIsActive } from '#auth/is-active';
import type { TokenService } from '#auth/tokens';
import type { Db } from '#db/db';
import { createFhirRouter } from '#fhir/router';
import type { EmailChannel } from '#reminders/channels/channel';
import type { AfterWrite } from '#sync/store';
import { createApiRouter } from './router.js';

export interface IntegrationDeps {
  db: Db;
  log: Logger;
  io: Server;
  tokens: TokenService;
  isActive?: IsActive;
  audit?: AuditLog;
  /** Emails invoices (`POST /api/v1/invoices/:id/email`); none: that answers 503. */
  email?: EmailChannel | null;
  /** What every write does in its transaction besides storing (billing/accounts.ts `serverWrites`). */
  afterWrite: AfterWrite;
}

/**
 * The integration surface: `/admin/api-clients` (admins manage clients and keys)
 * `/api/v1` (REST, OpenAPI) and `/fhir/R4` (HL7 FHIR R4). Mounted at the app's root.
 */
export function createIntegrationRouter(input: IntegrationDeps): express.Router {
  const audit = input.audit ?? new AuditLog(input.db);
  const writes = { db: input.db, log: input.log, io: input.io, audit, afterWrite: input.afterWrite };
  const router = express.Router();
  router.use(
    '/admin/api-clients',
    apiClientsRouter({
      db: input.db,
      tokens: input.tokens,
      isActive: input.isActive ?? createIsActive(input.db),
      audit,
    }),
  );
  router.use('/api/v1', createApiRouter({ ...writes, email: input.email ?? null }));
  router.use('/fhir/R4', createFhirRouter(writes));
  return router;
}
