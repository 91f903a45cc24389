import {
  changeRecord,
  updateEquipment,
  zonedTimeToUtc,
  type EquipmentStatus,
  type Room,
} from '@medisync/shared/domain';
import type { Workspace } from '../workspace.js';

/**
 * An admin's edits of rooms and their equipment (docs/architecture.md §9.8),
 * saved on this device and synced like any change: they work offline, and
 * every desk's booking rule sees them once synced.
 */

async function latestRoom(workspace: Workspace, roomId: string): Promise<Room> {
  const doc = await workspace.db.rx.rooms.findOne(roomId).exec();
  if (doc === null) throw new Error('This room is not on this device.');
  return doc.toJSON() as Room;
}

async function saveRoom(workspace: Workspace, room: Room, patch: Partial<Pick<Room, 'status' | 'equipmentState'>>) {
  const record = changeRecord('rooms', room, patch, workspace.db.clock);
  await workspace.db.save('rooms', record);
  return record;
}

export async function setRoomStatus(workspace: Workspace, roomId: string, status: Room['status']) {
  return saveRoom(workspace, await latestRoom(workspace, roomId), { status });
}

export async function setEquipmentStatus(workspace: Workspace, roomId: string, name: string, status: EquipmentStatus) {
  const room = await latestRoom(workspace, roomId);
  return saveRoom(workspace, room, {
    equipmentState: updateEquipment(room, name, (s) => ({ ...s, status }), new Date()),
  });
}

export interface PlannedMaintenance {
  equipment: string;
  /** Site-local day and times. */
  date: string;
  from: string;
  to: string;
  reason: string;
}

/** Adds a maintenance window, given in the site's local time; refuses one that ends before it starts. */
export async function planMaintenance(workspace: Workspace, roomId: string, plan: PlannedMaintenance) {
  const timeZone = workspace.session.site.timezone;
  const start = zonedTimeToUtc(plan.date, plan.from, timeZone).toISOString();
  const end = zonedTimeToUtc(plan.date, plan.to, timeZone).toISOString();
  if (end <= start) throw new Error('The maintenance must end after it starts.');
  const room = await latestRoom(workspace, roomId);
  const window = { start, end, reason: plan.reason.trim().slice(0, 200) };
  return saveRoom(workspace, room, {
    equipmentState: updateEquipment(
      room,
      plan.equipment,
      (s) => ({ ...s, maintenance: [...s.maintenance, window].sort((a, b) => (a.start < b.start ? -1 : 1)) }),
      new Date(),
    ),
  });
}

export async function cancelMaintenance(workspace: Workspace, roomId: string, name: string, start: string) {
  const room = await latestRoom(workspace, roomId);
  return saveRoom(workspace, room, {
    equipmentState: updateEquipment(
      room,
      name,
      (s) => ({ ...s, maintenance: s.maintenance.filter((w) => w.start !== start) }),
      new Date(),
    ),
  });
}
