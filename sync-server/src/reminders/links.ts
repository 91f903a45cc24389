import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { ReminderKeys } from './codes.js';

/**
 * The links in a reminder (docs/architecture.md §9.6): signed tokens (HS256
 * through jose, like the server's other tokens, with a key of their own), so
 * the public page needs no sign-in and a link cannot be made up or altered.
 * A link names an appointment or a patient, never what the visit is for.
 */

const ISSUER = 'medisync-reminders';

const linkSchema = z.discriminatedUnion('use', [
  /** Confirm or cancel one appointment; valid until a day after it started. */
  z.object({ use: z.literal('appointment'), sub: z.uuid(), lng: z.string().max(8) }),
  /** Stop reminders by email for one patient. */
  z.object({ use: z.literal('unsubscribe'), sub: z.uuid(), lng: z.string().max(8) }),
]);
export type ReminderLink = z.infer<typeof linkSchema>;

const UNSUBSCRIBE_DAYS = 180;

export async function signAppointmentLink(
  keys: ReminderKeys,
  appointment: { id: string; start: string },
  language: string,
): Promise<string> {
  const expires = Math.floor(Date.parse(appointment.start) / 1000) + 86_400;
  return sign(keys, { use: 'appointment', sub: appointment.id, lng: language }, expires);
}

export async function signUnsubscribeLink(keys: ReminderKeys, patientId: string, language: string): Promise<string> {
  return sign(
    keys,
    { use: 'unsubscribe', sub: patientId, lng: language },
    Math.floor(Date.now() / 1000) + UNSUBSCRIBE_DAYS * 86_400,
  );
}

/** The link's claims, or null when it is forged, altered or expired. */
export async function verifyLink(keys: ReminderKeys, token: string): Promise<ReminderLink | null> {
  try {
    const { payload } = await jwtVerify(token, keys.links, { issuer: ISSUER, algorithms: ['HS256'] });
    const parsed = linkSchema.safeParse(payload);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function sign(keys: ReminderKeys, claims: ReminderLink, expiresAt: number): Promise<string> {
  return new SignJWT({ use: claims.use, lng: claims.lng })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(keys.links);
}
