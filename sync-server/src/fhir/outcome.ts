import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError, loggableError, toHttpError } from '#http/errors';

export const FHIR_JSON = 'application/fhir+json';

/** FHIR's IssueType for each answer, by MediSync code first, then by status. */
const ISSUE_BY_CODE: Record<string, string> = {
  'search-too-wide': 'too-costly',
  'payload-too-large': 'too-long',
  'unsupported-encoding': 'not-supported',
  'not-supported': 'not-supported',
};
const ISSUE_BY_STATUS: Record<number, string> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  412: 'conflict',
  413: 'too-long',
  415: 'not-supported',
  422: 'business-rule',
  429: 'throttled',
};

/**
 * FHIR JSON never carries an empty array or object (the specification forbids
 * them); a resource is sent without them, however it was built.
 */
export function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(withoutEmpty).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, withoutEmpty(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  return value;
}

export function sendFhir(res: Response, resource: object): void {
  res.type(FHIR_JSON).send(JSON.stringify(withoutEmpty(resource) ?? {}));
}

/**
 * Every error under `/fhir/R4` answers an OperationOutcome, whatever raised it:
 * the routes, the body parser (413), the rate limits (429, with Retry-After) or
 * a bug (500, logged with the request id, its message never sent). The MediSync
 * code is kept in `details.coding`.
 */
export function operationOutcomeErrors(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let known = toHttpError(error);
    if (known === null) {
      const requestId = res.locals.requestId as string | undefined;
      log.error(
        { error: loggableError(error), requestId, method: req.method, path: req.originalUrl.split('?')[0] },
        'unexpected error while handling a request',
      );
      known = new HttpError(500, 'internal-error', 'something went wrong on the server', { requestId });
    }
    const issue =
      ISSUE_BY_CODE[known.code] ?? ISSUE_BY_STATUS[known.status] ?? (known.status >= 500 ? 'exception' : 'processing');
    res.status(known.status).set(known.headers);
    sendFhir(res, {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: issue,
          details: { coding: [{ system: 'urn:medisync:error', code: known.code }], text: known.message },
          diagnostics: known.message,
        },
      ],
    });
  };
}
