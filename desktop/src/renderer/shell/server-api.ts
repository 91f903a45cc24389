import { z } from 'zod';

/** The server answered with its error shape `{error: {code, message, details}}`. */
export class ServerApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'ServerApiError';
  }
}

/** The server could not be reached at all. */
export class ServerUnreachableError extends Error {
  constructor(cause: unknown) {
    super('the MediSync server cannot be reached', { cause });
    this.name = 'ServerUnreachableError';
  }
}

const roleSchema = z.enum(['admin', 'desk', 'kiosk', 'display', 'integration']);
const siteSchema = z.object({ id: z.string().min(1), name: z.string(), timezone: z.string().min(1) });

export const staffSessionSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** Seconds the access token is valid for. */
  expiresIn: z.number().positive(),
  user: z.object({ id: z.string().min(1), email: z.string(), displayName: z.string(), role: roleSchema }),
  site: siteSchema,
});
export type StaffSessionGrant = z.infer<typeof staffSessionSchema>;
export type StaffUser = StaffSessionGrant['user'];
export type SiteSummary = StaffSessionGrant['site'];

export const enrollmentSchema = z.object({
  deviceId: z.string().min(1),
  deviceToken: z.string().min(1),
  role: z.enum(['desk', 'kiosk', 'display']),
  site: siteSchema,
});
export type Enrollment = z.infer<typeof enrollmentSchema>;

const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/**
 * Sends a request to the sync server and answers its response once it is a
 * success: a refusal becomes a ServerApiError with the server's code and
 * words, no answer at all a ServerUnreachableError. Every call the apps make
 * outside sync goes through here.
 */
export async function serverRequest(
  url: string,
  init: RequestInit = {},
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    throw new ServerUnreachableError(error);
  }
  if (!response.ok) {
    const parsed = errorBodySchema.safeParse(await response.json().catch(() => null));
    const error = parsed.success ? parsed.data.error : null;
    throw new ServerApiError(
      response.status,
      error?.code ?? `http-${response.status}`,
      error?.message ?? `the server answered ${response.status}`,
      error?.details ?? null,
    );
  }
  return response;
}

/** The sync server's HTTP API as the apps use it; sync itself is `startSync`'s business. */
export function createServerApi(serverUrl: string, fetchImpl: typeof fetch = (...args) => fetch(...args)) {
  async function post<T>(path: string, body: unknown, schema: z.ZodType<T> | null): Promise<T> {
    const response = await serverRequest(
      `${serverUrl}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      fetchImpl,
    );
    return schema === null ? (undefined as T) : schema.parse(await response.json());
  }

  return {
    signIn: (credentials: { email: string; password: string; siteId?: string }) =>
      post('/auth/sign-in', credentials, staffSessionSchema),
    refresh: (refreshToken: string) => post('/auth/refresh', { refreshToken }, staffSessionSchema),
    signOut: (refreshToken: string) => post('/auth/sign-out', { refreshToken }, null),
    enroll: (enrollment: { code: string; name: string }) => post('/devices/enroll', enrollment, enrollmentSchema),
  };
}
export type ServerApi = ReturnType<typeof createServerApi>;
