import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';

/**
 * An expected failure with the status and stable code a client can act on.
 * Anything else that reaches the error middleware is a bug: it is logged and
 * answered with a plain 500.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Response headers the answer needs, e.g. `Retry-After` on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** A 400 naming each bad field: `details.issues = [{ path, message }]`. */
  static fromZod(error: z.ZodError, what = 'request'): HttpError {
    const issues = zodIssues(error);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return new HttpError(400, 'invalid-request', `invalid ${what}: ${summary}`, { issues });
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

/** Parses `data` or throws a 400 that names the bad fields. */
export function parseOrThrow<S extends z.ZodType>(schema: S, data: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw HttpError.fromZod(result.error, what);
  return result.data;
}

/** The JSON body of every error answer (docs/architecture.md §8.2). */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** Unknown routes answer in the same JSON shape as every other error. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not-found', `no route for ${req.method} ${req.path}`));
};

/**
 * The one error middleware. Expected errors keep their status, code and
 * details; body-parser's errors become 400 `invalid-json` and 413
 * `payload-too-large`; anything else is a 500 that says only that, while the
 * log gets the error with the request id. No answer carries a stack trace.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = toHttpError(error);
    const requestId = res.locals.requestId;
    if (known === null) {
      log.error(
        { error: loggableError(error), requestId, method: req.method, path: requestPath(req.originalUrl) },
        'unexpected error while handling a request',
      );
    } else if (known.status >= 500) {
      log.error({ requestId, code: known.code, method: req.method, path: requestPath(req.originalUrl) }, known.message);
    }
    const answer = known ?? new HttpError(500, 'internal-error', 'something went wrong on the server', { requestId });
    const body: ErrorBody = { error: { code: answer.code, message: answer.message, details: answer.details ?? {} } };
    res.status(answer.status).set(answer.headers).json(body);
  };
}

/**
 * Recognises the errors that are not bugs: our own, the body parser's, and the
 * router's for a path whose percent-encoding does not decode (`/patients/%E0%A4%A`).
 * Null for anything else. Routers with an error format of their own (FHIR) use it too.
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof URIError && (error as { status?: unknown }).status === 400) {
    return new HttpError(400, 'invalid-path', 'the request path is not valid percent-encoded UTF-8');
  }
  if (typeof error !== 'object' || error === null) return null;
  const { type, status } = error as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid-json', 'the request body is not valid JSON');
    case 'entity.too.large': {
      const limit = (error as { limit?: unknown }).limit;
      return new HttpError(
        413,
        'payload-too-large',
        'the request body is too large',
        typeof limit === 'number' ? { limitBytes: limit } : {},
      );
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported-encoding', 'the request body uses an unsupported encoding or charset');
    case 'request.aborted':
      return new HttpError(400, 'request-aborted', 'the request was aborted while its body was read');
  }
  // Other body-parser and http-errors errors carry a 4xx status and a safe message.
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: unknown }).expose === true) {
    return new HttpError(status, 'bad-request', String((error as { message?: unknown }).message ?? 'bad request'));
  }
  return null;
}

/** The path without the query string, which may hold patient data. */
function requestPath(url: string): string {
  return url.split('?')[0] ?? url;
}

/**
 * What of an unexpected error goes to the log: its kind, message, code and
 * stack, but not the extra fields some libraries attach (PostgreSQL's
 * `detail` quotes the row's values, which may be patient data).
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(code === undefined ? {} : { code }), stack: error.stack };
}
