import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiClientPrincipal } from '#api-clients/service';
import type { Scope } from '#api-clients/scopes';
import type { IntegrationService } from './service.js';

/**
 * One route of `/api/v1`, described once: the router validates with these
 * schemas and the OpenAPI document is generated from them, so what is
 * documented is what is enforced.
 */
export interface Operation<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express style: `/patients/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  scope: Scope;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer. */
  status: number;
  response: z.ZodType;
  /** Statuses beyond 400/401/403 this route may answer with. */
  errors?: number[];
  handler: (ctx: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    client: ApiClientPrincipal;
    api: IntegrationService;
    req: Request;
    res: Response;
  }) => Promise<unknown>;
}

export function operation<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  op: Operation<P, Q, B>,
): Operation {
  return op as unknown as Operation;
}
