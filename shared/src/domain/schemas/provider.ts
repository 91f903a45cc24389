import { z } from 'zod';
import { idSchema } from '../ids.js';
import { replicatedFields, text } from './common.js';

export const providerSchema = z.object({
  ...replicatedFields,
  siteIds: z.array(idSchema).min(1).max(50),
  displayName: text.min(1).max(200),
  specialty: text.max(200).nullable(),
  active: z.boolean(),
});
export type Provider = z.infer<typeof providerSchema>;
