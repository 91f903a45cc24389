import { z } from 'zod';
import { IDEMPOTENCY_WAIT_MS } from './idempotency.js';
import type { Operation } from './operation.js';

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown(),
    }),
  })
  .meta({ id: 'Error' });

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `details.issues` names each bad field',
  401: 'Missing, invalid or revoked API key',
  403: 'The API client lacks the scope this operation needs',
  404: 'No such record at the client’s site',
  409: 'Conflict: the slot is taken, or the lifecycle does not allow the change',
  422: 'The Idempotency-Key was used for a different request, or the domain refused the record',
  502: 'A service the server relies on (the mail service) refused the request or could not be reached',
  503: 'The feature is not set up on this server (`error.message` names the setting)',
};

const IN_PROGRESS_TEXT =
  '`idempotency-in-progress`: a request with the same Idempotency-Key was still running after a repeat had waited ' +
  `${IDEMPOTENCY_WAIT_MS / 1000} s for its answer; retry after Retry-After seconds`;

const TAG_TEXT: Record<string, string> = {
  Patients: 'Registration and demographics; the server gives each patient an MRN',
  Schedules: 'Providers, rooms, working schedules and free slots',
  Appointments: 'Booking, rescheduling, cancelling and checking in, with the apps’ lifecycle rules',
  Queue: 'Today’s queues at the site',
  Webhooks: 'Subscriptions to events and their delivery log',
  Reports: 'Utilization, waits, no-shows and check-ins of the site, computed from its records',
  Billing: 'Invoices, card payments (collected through Stripe at the desk and kiosk) and insurance claims',
};

/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the operations' zod
 * schemas (zod emits JSON Schema 2020-12, the dialect OpenAPI 3.1 uses).
 * Schemas with a `meta({ id })` become shared components.
 */
export function openApiDocument(operations: readonly Operation[], serverUrl = '/api/v1') {
  const schemas: Record<string, unknown> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output') => {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      reused: 'inline',
    }) as Record<string, unknown>;
    return hoist(
      JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as typeof json,
      schemas,
    );
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...objectParameters(op.params, 'path', convert),
      ...objectParameters(op.query, 'query', convert),
      ...(op.method === 'post'
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                'Makes the POST safe to retry: a repeat with the same key returns the first answer and changes nothing ' +
                '(a repeat sent while the first is still running waits for its answer)',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ]
        : []),
    ];
    const responses: Record<string, unknown> = {
      [String(op.status)]: {
        description: 'Success',
        content: { 'application/json': { schema: convert(op.response, 'output') } },
      },
    };
    for (const status of [400, 401, 403, ...(op.errors ?? []), ...(op.method === 'post' ? [409, 422] : [])]) {
      const inProgress = op.method === 'post' && status === 409;
      responses[String(status)] = {
        description: inProgress
          ? [...(op.errors?.includes(409) ? [ERROR_TEXT[409]] : []), IN_PROGRESS_TEXT].join('; or ')
          : (ERROR_TEXT[status] ?? 'Error'),
        ...(inProgress
          ? {
              headers: {
                'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
              },
            }
          : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[path] ??= {};
    paths[path][op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: [op.tag],
      security: [{ apiKey: [] }],
      'x-required-scope': op.scope,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: !op.body.safeParse(undefined).success,
              content: { 'application/json': { schema: convert(op.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  // Converting stores the error schema among the components (it has an id) and answers a $ref to it.
  convert(errorSchema, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'MediSync integration API',
      version: '1.0.0',
      description:
        'REST access to one clinic site for an API client. Authenticate with `Authorization: Bearer <API key>`; ' +
        'each operation needs the scope named in `x-required-scope`. Lists page with `cursor` (the `nextCursor` ' +
        'of the previous page). Errors are `{ "error": { "code", "message", "details" } }`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: serverUrl }],
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({
      name,
      ...(TAG_TEXT[name] ? { description: TAG_TEXT[name] } : {}),
    })),
    paths,
    components: {
      schemas,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API client key (msk_…)' } },
    },
  };
}

/** Moves `$defs` of a converted schema into the shared components, referenced by `#/components/schemas/<id>`. */
function hoist(json: Record<string, unknown>, into: Record<string, unknown>): Record<string, unknown> {
  const { $defs, $schema, id, ...rest } = json as Record<string, unknown> & { $defs?: Record<string, unknown> };
  void $schema;
  for (const [name, def] of Object.entries($defs ?? {})) {
    const { id: _id, ...clean } = def as Record<string, unknown>;
    void _id;
    into[name] = clean;
  }
  if (typeof id === 'string') {
    into[id] = rest;
    return { $ref: `#/components/schemas/${id}` };
  }
  return rest;
}

function objectParameters(
  schema: z.ZodType | undefined,
  where: 'path' | 'query',
  convert: (schema: z.ZodType, io: 'input' | 'output') => Record<string, unknown>,
) {
  if (schema === undefined) return [];
  const json = convert(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}
