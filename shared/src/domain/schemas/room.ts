import { z } from 'zod';
import { idSchema } from '../ids.js';
import { replicatedFields } from './common.js';

export const roomStatuses = ['available', 'occupied', 'cleaning', 'out-of-service'] as const;

export const roomSchema = z.object({
  ...replicatedFields,
  siteId: idSchema,
  name: z.string().min(1).max(100),
  kind: z.enum(['exam', 'procedure', 'lab', 'consult', 'imaging', 'other']),
  equipment: z.array(z.string().min(1).max(100)).max(50),
  status: z.enum(roomStatuses),
});
export type Room = z.infer<typeof roomSchema>;
