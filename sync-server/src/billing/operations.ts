import {
  centsSchema,
  claimStatuses,
  invoiceStatuses,
  paymentStatuses,
  text,
  type Actor,
  type LedgerEntry,
} from '@medisync/shared/domain';
import { z } from 'zod';
import { actorOf, type AuditLog } from '#audit/audit-log';
import { requestOrigin } from '#auth/authenticate';
import { operation, type Operation } from '#api/operation';
import { listRecords, toApi, type Filter } from '#api/records';
import { billingApiSchemas, invoiceEmailRequest, invoiceEmailSent, invoiceToApi } from './api-shape.js';
import { HttpError } from '#http/errors';
import { BillingService, type BillingDeps } from './service.js';

const idParams = z.object({ id: z.uuid() });
const limit = z.coerce.number().int().min(1).max(200).default(50);
const cursor = text.max(500).optional();
const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() }).meta({ id: name });
const byVisit = { patient: z.uuid().optional(), appointment: z.uuid().optional() };

/**
 * `/api/v1` invoices, payments and claims (docs/architecture.md §9.7), scope
 * `billing:read` / `billing:write`. Money moves through Stripe at the desk and
 * kiosk only; an integration reads it, records the payer's answer to a claim
 * and can email an invoice to the patient.
 */
export function billingOperations(deps: BillingDeps & { audit: AuditLog }): Operation[] {
  const billing = new BillingService(deps, null);
  const audit = (
    ctx: { client: Parameters<typeof actorOf>[0]; req: Parameters<typeof requestOrigin>[0] },
    action: 'read' | 'write',
    ids: string[],
    details?: Record<string, unknown>,
  ) =>
    ids.length === 0
      ? Promise.resolve()
      : deps.audit.record({
          actor: actorOf(ctx.client),
          action,
          collection: 'ledger',
          recordIds: ids,
          via: `api ${ctx.req.method} ${ctx.req.baseUrl}${ctx.req.route?.path ?? ''}`,
          ...requestOrigin(ctx.req),
          ...(details ? { details } : {}),
        });
  const kindFilters = (
    kind: LedgerEntry['kind'],
    query: { patient?: string | undefined; appointment?: string | undefined; status?: string | undefined },
  ): Filter[] => [
    { sql: `doc->>'kind' = ?`, value: kind },
    ...(query.patient ? [{ sql: `doc->>'patientId' = ?`, value: query.patient }] : []),
    ...(query.appointment ? [{ sql: `doc->>'appointmentId' = ?`, value: query.appointment }] : []),
    ...(query.status ? [{ sql: `doc->>'status' = ?`, value: query.status }] : []),
  ];
  const actorOfClient = (client: { id: string }): Actor => ({ id: client.id, role: 'integration', source: 'api' });

  const listing = <K extends 'invoice' | 'payment' | 'claim'>(
    kind: K,
    path: string,
    name: string,
    statuses: readonly [string, ...string[]],
    map: (entry: Extract<LedgerEntry, { kind: K }>) => unknown,
  ) => [
    operation({
      method: 'get',
      path: `/${path}`,
      operationId: `list${name}s`,
      summary: `List ${path}, by patient, visit or status, oldest first`,
      tag: 'Billing',
      scope: 'billing:read',
      query: z.object({ ...byVisit, status: z.enum(statuses).optional(), limit, cursor }),
      status: 200,
      response: page(billingApiSchemas[kind], `${name}Page`),
      handler: async (ctx) => {
        const result = await listRecords(deps.db, 'ledger', ctx.client.siteId, {
          filters: kindFilters(kind, ctx.query),
          cursor: ctx.query.cursor,
          limit: ctx.query.limit,
        });
        await audit(
          ctx,
          'read',
          result.data.map((e) => e.id),
        );
        return {
          data: result.data.map((e) => map(e as Extract<LedgerEntry, { kind: K }>)),
          nextCursor: result.nextCursor,
        };
      },
    }),
    operation({
      method: 'get',
      path: `/${path}/:id`,
      operationId: `get${name}`,
      summary: `Read one of the ${path}`,
      tag: 'Billing',
      scope: 'billing:read',
      params: idParams,
      status: 200,
      response: billingApiSchemas[kind],
      errors: [404],
      handler: async (ctx) => {
        const entry = await billing.readEntry(ctx.client.siteId, ctx.params.id, kind);
        await audit(ctx, 'read', [ctx.params.id]);
        return map(entry);
      },
    }),
  ];

  return [
    ...listing('invoice', 'invoices', 'Invoice', invoiceStatuses, invoiceToApi),
    operation({
      method: 'post',
      path: '/invoices/:id/email',
      operationId: 'emailInvoice',
      summary: 'Email the invoice as a PDF to the patient’s address on file, or to the address given',
      tag: 'Billing',
      scope: 'billing:write',
      params: idParams,
      body: invoiceEmailRequest,
      status: 200,
      response: invoiceEmailSent,
      errors: [404, 409, 502, 503],
      handler: async (ctx) => {
        const sent = await billing.emailInvoice(ctx.client.siteId, ctx.params.id, ctx.body.to);
        await audit(ctx, 'read', [sent.invoiceId, sent.patientId], { emailedTo: sent.recipient });
        return sent;
      },
    }),
    ...listing('payment', 'payments', 'Payment', paymentStatuses, (p) => toApi(p as never)),
    ...listing('claim', 'claims', 'Claim', claimStatuses, (c) => toApi(c as never)),
    operation({
      method: 'post',
      path: '/claims',
      operationId: 'draftClaim',
      summary: 'Draft the insurance claim of an insured visit from its invoice (the same claim if drafted already)',
      tag: 'Billing',
      scope: 'billing:write',
      body: z.object({ invoiceId: z.uuid() }),
      status: 201,
      response: billingApiSchemas.claim,
      errors: [404, 409],
      handler: async (ctx) => {
        const claim = await billing.draftClaim(ctx.client.siteId, ctx.body.invoiceId, actorOfClient(ctx.client));
        await audit(ctx, 'write', [claim.id]);
        return toApi(claim as never);
      },
    }),
    operation({
      method: 'post',
      path: '/claims/:id/status',
      operationId: 'moveClaim',
      summary: 'Submit a claim or record the payer’s answer: accepted or denied (with the reason), then paid',
      tag: 'Billing',
      scope: 'billing:write',
      params: idParams,
      body: z.object({
        status: z.enum(claimStatuses),
        approvedCents: centsSchema.nullable().optional(),
        payerPaidCents: centsSchema.nullable().optional(),
        denialReason: text.trim().max(500).nullable().optional(),
      }),
      status: 200,
      response: billingApiSchemas.claim,
      errors: [404, 409],
      handler: async (ctx) => {
        if (ctx.body.status === 'denied' && !ctx.body.denialReason) {
          throw new HttpError(400, 'invalid-request', 'a denied claim needs the payer’s reason', {
            issues: [{ path: 'denialReason', message: 'required when the status is denied' }],
          });
        }
        const claim = await billing.moveClaim(ctx.client.siteId, ctx.params.id, ctx.body, actorOfClient(ctx.client));
        await audit(ctx, 'write', [claim.id]);
        return toApi(claim as never);
      },
    }),
  ];
}
