import { z } from 'zod';

/** What an API client may do: read or write one area of the site's data. */
export const scopeAreas = ['patients', 'appointments', 'schedules', 'queue', 'webhooks', 'billing'] as const;
export type ScopeArea = (typeof scopeAreas)[number];

export const scopes = scopeAreas.flatMap((area) => [`${area}:read`, `${area}:write`] as const);
export type Scope = `${ScopeArea}:${'read' | 'write'}`;
export const scopeSchema = z.enum(scopes as [Scope, ...Scope[]]);

/** A client that may write an area may read it too: a booking answers with the appointment it made. */
export function grants(held: readonly string[], needed: Scope): boolean {
  if (held.includes(needed)) return true;
  const [area, access] = needed.split(':');
  return access === 'read' && held.includes(`${area}:write`);
}
