import { z } from 'zod';
import { idSchema } from '../ids.js';
import { isoDateTime, replicatedFields, text } from './common.js';

export const roomStatuses = ['available', 'occupied', 'cleaning', 'out-of-service'] as const;
export const roomKinds = ['exam', 'procedure', 'lab', 'consult', 'imaging', 'other'] as const;
export type RoomKind = (typeof roomKinds)[number];

/** A piece of equipment is in service or out of it until someone puts it back; maintenance is planned time. */
export const equipmentStatuses = ['in-service', 'out-of-service'] as const;
export type EquipmentStatus = (typeof equipmentStatuses)[number];

/** Planned time a piece of equipment cannot be used (a service visit, a calibration), start inclusive, end exclusive. */
export const maintenanceWindowSchema = z
  .object({ start: isoDateTime, end: isoDateTime, reason: text.max(200) })
  .refine((w) => w.start < w.end, { message: 'a maintenance window must end after it starts', path: ['end'] });
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

/**
 * The state of one piece of the room's equipment, by its name in `equipment`
 * (docs/architecture.md §9.8). Equipment without an entry is in service with no
 * maintenance planned, so rooms written before equipment had a state read the same.
 */
export const equipmentStateSchema = z.object({
  name: text.min(1).max(100),
  status: z.enum(equipmentStatuses),
  maintenance: z.array(maintenanceWindowSchema).max(20),
});
export type EquipmentState = z.infer<typeof equipmentStateSchema>;

export const roomSchema = z.object({
  ...replicatedFields,
  siteId: idSchema,
  name: text.min(1).max(100),
  kind: z.enum(roomKinds),
  equipment: z.array(text.min(1).max(100)).max(50),
  status: z.enum(roomStatuses),
  /** Status and maintenance windows of the equipment named in `equipment`; absent on rooms from before (rooms v2). */
  equipmentState: z.array(equipmentStateSchema).max(50).optional(),
});
export type Room = z.infer<typeof roomSchema>;
