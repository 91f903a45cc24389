import { z } from 'zod';

export const roleSchema = z.enum(['admin', 'desk', 'kiosk', 'display', 'integration']);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling: a signed-in staff user, an enrolled device or an API client, acting at one site. */
export const principalSchema = z.object({
  kind: z.enum(['user', 'device', 'apiClient']),
  id: z.string().min(1),
  role: roleSchema,
  siteId: z.uuid(),
});
export type Principal = z.infer<typeof principalSchema>;
