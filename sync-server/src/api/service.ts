import {
  changeRecord,
  createRecord,
  DomainError,
  findOverlaps,
  formatTicketCode,
  freeSlots,
  holdsSlot,
  newId,
  transitionRecord,
  type Actor,
  type Appointment,
  type CollectionName,
  type NewRecord,
  type Patient,
  type QueueEntry,
  type RecordPatch,
  type RecordTypes,
  type Schedule,
  type Site,
} from '@medisync/shared/domain';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { AuditLog } from '#audit/audit-log';
import type { ApiClientPrincipal } from '#api-clients/service';
import type { Db } from '#db/db';
import { HttpError } from '#http/errors';
import { leaseTicketBlock } from '#tickets/leases';
import { overlappingAppointments, serverClock, serverRules } from '#sync/rules';
import { pushRecords, type AfterWrite, type Doc, type ServerRule } from '#sync/store';
import { facilityAround, refuseWithoutRoom, rowsOf } from './facility.js';
import { readRecord } from './records.js';
import type { EmailChannel } from '#reminders/channels/channel';

/** What the integration API's services need. */
export interface ApiDeps {
  db: Db;
  log: Logger;
  io: Server;
  audit: AuditLog;
  /** Emails invoices (billing/operations.ts); none: email is not set up. */
  email?: EmailChannel | null;
  /** What every write does in its transaction besides storing (billing/accounts.ts `serverWrites`). */
  afterWrite: AfterWrite;
}

/**
 * Writes of the integration API (REST and FHIR alike). Every write goes through
 * `pushRecords`, like a device's push: the site lock, the domain merge, the
 * server's rules, the webhook outbox; its changes then reach devices live.
 */
export class IntegrationService {
  constructor(
    private readonly deps: ApiDeps,
    private readonly client: ApiClientPrincipal,
  ) {}

  get siteId(): string {
    return this.client.siteId;
  }

  private get actor(): Actor {
    return { id: this.client.id, role: 'integration', source: 'api' };
  }

  async site(): Promise<Site> {
    return readRecord(this.deps.db, 'sites', this.siteId, this.siteId);
  }

  async createPatient(fields: Omit<NewRecord<'patients'>, 'id' | 'siteId' | 'mrn' | 'mergedInto'>): Promise<Patient> {
    const patient = domain(() =>
      createRecord(
        'patients',
        { ...fields, id: newId(), siteId: this.siteId, mrn: null, mergedInto: null },
        serverClock,
        this.actor,
      ),
    );
    return this.write('patients', patient);
  }

  async updatePatient(id: string, patch: RecordPatch<'patients'>): Promise<Patient> {
    const current = await readRecord(this.deps.db, 'patients', id, this.siteId);
    return this.write(
      'patients',
      domain(() => changeRecord('patients', current, patch, serverClock)),
    );
  }

  /** Books a slot: refused with 409 `slot-taken` when the provider already holds an overlapping appointment. */
  async book(input: {
    patientId: string;
    providerId: string;
    start: string;
    end?: string | undefined;
    visitType: string;
    roomId?: string | null | undefined;
    notes?: string | null | undefined;
    copayCents?: number | null | undefined;
    status?: 'booked' | 'pending' | undefined;
  }): Promise<Appointment> {
    await readRecord(this.deps.db, 'patients', input.patientId, this.siteId);
    await readRecord(this.deps.db, 'providers', input.providerId, this.siteId);
    if (input.roomId) await readRecord(this.deps.db, 'rooms', input.roomId, this.siteId);
    const end = input.end ?? (await this.defaultEnd(input.providerId, input.start));
    const appointment = domain(() =>
      createRecord(
        'appointments',
        {
          id: newId(),
          siteId: this.siteId,
          patientId: input.patientId,
          providerId: input.providerId,
          roomId: input.roomId ?? null,
          start: new Date(input.start).toISOString(),
          end: new Date(end).toISOString(),
          visitType: input.visitType,
          status: input.status ?? 'booked',
          copayCents: input.copayCents ?? null,
          notes: input.notes ?? null,
        } as NewRecord<'appointments'>,
        serverClock,
        this.actor,
      ),
    );
    return this.write('appointments', appointment);
  }

  async reschedule(id: string, start: string, end: string | undefined): Promise<Appointment> {
    const current = await readRecord(this.deps.db, 'appointments', id, this.siteId);
    const length = Date.parse(current.end) - Date.parse(current.start);
    const nextStart = new Date(start).toISOString();
    const nextEnd = new Date(end ?? Date.parse(start) + length).toISOString();
    return this.write(
      'appointments',
      domain(() => changeRecord('appointments', current, { start: nextStart, end: nextEnd }, serverClock)),
    );
  }

  /** Moves an appointment along its lifecycle with the same rules as the apps. */
  async transitionAppointment(id: string, to: Appointment['status']): Promise<Appointment> {
    const current = await readRecord(this.deps.db, 'appointments', id, this.siteId);
    if (current.status === to) return current;
    return this.write(
      'appointments',
      domain(() => transitionRecord('appointments', current, to, serverClock, this.actor)),
    );
  }

  /** The patient is here: the appointment is checked in and the patient joins the reception queue. */
  async checkIn(id: string, queue = 'reception'): Promise<{ appointment: Appointment; queueEntry: QueueEntry }> {
    const appointment = await this.transitionAppointment(id, 'checked-in');
    const existing = await this.deps.db.query<{ doc: QueueEntry }>(
      `SELECT doc FROM queue_entries WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] AND doc->>'appointmentId' = $2`,
      [this.siteId, id],
    );
    const queueEntry =
      existing[0]?.doc ??
      (await this.joinQueue({ patientId: appointment.patientId, appointmentId: id, queue, priority: 'normal' }));
    return { appointment, queueEntry };
  }

  /**
   * Puts a patient in a queue (a walk-in, or an arrival the API reports). Its
   * ticket number is leased like a device's, one at a time under the site lock,
   * so API codes are as short as the kiosk's and never clash with them.
   */
  async joinQueue(input: {
    patientId: string;
    appointmentId: string | null;
    queue: string;
    priority: QueueEntry['priority'];
  }): Promise<QueueEntry> {
    await readRecord(this.deps.db, 'patients', input.patientId, this.siteId);
    const now = new Date();
    const block = await this.deps.db.transaction((tx) =>
      leaseTicketBlock(tx, { siteId: this.siteId, deviceKey: 'api', queue: input.queue, size: 1 }, now),
    );
    const entry = domain(() =>
      createRecord(
        'queueEntries',
        {
          id: newId(),
          siteId: this.siteId,
          appointmentId: input.appointmentId,
          patientId: input.patientId,
          queue: input.queue,
          ticketCode: formatTicketCode(block.prefix, block.start),
          priority: input.priority,
          status: 'waiting',
          checkedInAt: now.toISOString(),
          roomId: null,
        } as NewRecord<'queueEntries'>,
        serverClock,
        this.actor,
      ),
    );
    return this.write('queueEntries', entry);
  }

  /**
   * The free slots of a provider on a site-local date, from its schedule and the
   * bookings that hold time; for a visit type that needs a room kind or
   * equipment, only slots a suitable room can take (docs/architecture.md §9.8).
   */
  async freeSlots(providerId: string, date: string, visitType?: string) {
    await readRecord(this.deps.db, 'providers', providerId, this.siteId);
    const site = await this.site();
    const schedule = await this.scheduleOf(providerId);
    if (schedule === null) return [];
    const appointments = await this.bookingsAround(providerId, date);
    if (visitType === undefined) return freeSlots(schedule, appointments, date, site.timezone);
    const facility = await facilityAround(rowsOf(this.deps.db), this.siteId, aroundDate(date));
    return freeSlots(schedule, appointments, date, site.timezone, { ...facility, visitType });
  }

  async scheduleOf(providerId: string): Promise<Schedule | null> {
    const rows = await this.deps.db.query<{ doc: Schedule }>(
      `SELECT doc FROM schedules WHERE NOT deleted AND site_ids @> ARRAY[$1::uuid] AND doc->>'providerId' = $2
        ORDER BY id LIMIT 1`,
      [this.siteId, providerId],
    );
    return rows[0]?.doc ?? null;
  }

  /** The provider's appointments within a day either side of a site-local date (time zones shift the edges). */
  async bookingsAround(providerId: string, date: string): Promise<Appointment[]> {
    const { start: from, end: to } = aroundDate(date);
    const rows = await this.deps.db.query<{ doc: Appointment }>(
      `SELECT doc FROM appointments WHERE NOT deleted AND doc->>'providerId' = $1
        AND doc->>'start' < $3 AND doc->>'end' > $2`,
      [providerId, from, to],
    );
    return rows.map((r) => r.doc);
  }

  private async defaultEnd(providerId: string, start: string): Promise<string> {
    const schedule = await this.scheduleOf(providerId);
    return new Date(Date.parse(start) + (schedule?.slotMinutes ?? 15) * 60_000).toISOString();
  }

  private async write<K extends CollectionName>(collection: K, record: RecordTypes[K]): Promise<RecordTypes[K]> {
    return writeRecord(this.deps, collection, record, this.siteId, [refuseOverlap, refuseWithoutRoom]);
  }
}

/**
 * Writes one record the server makes (an API call, a reminder's code, a cancel
 * from a patient's link) the way a device's push is written: the site lock, the
 * merge, the server's rules (`appointmentRules` run first for appointments), the
 * webhook outbox; its changes then reach devices live. A refused row is a 422.
 */
export async function writeRecord<K extends CollectionName>(
  deps: ApiDeps,
  collection: K,
  record: RecordTypes[K],
  siteId: string,
  appointmentRules: ServerRule[] = [],
): Promise<RecordTypes[K]> {
  const rules = { ...serverRules, appointments: [...appointmentRules, ...(serverRules.appointments ?? [])] };
  const result = await pushRecords(deps.db, collection, [{ newDocumentState: record as never }], {
    rules,
    afterWrite: deps.afterWrite,
  });
  if (result.rejected.length > 0) {
    const { error } = result.rejected[0]!;
    throw new HttpError(422, error.code, error.message, error.details);
  }
  const stored = result.changes.flatMap((c) => c.records).find((r) => r.doc.id === record.id)?.doc;
  if (stored !== undefined) {
    const { _deleted, ...doc } = stored;
    void _deleted;
    return doc as unknown as RecordTypes[K];
  }
  return readRecord(deps.db, collection, record.id, siteId);
}

/**
 * The API refuses a booking over time the provider already holds, checked inside
 * the write transaction with the site locked, so two concurrent requests cannot
 * both win. (Devices cannot be refused while offline; their clashes are flagged.)
 */
const refuseOverlap: ServerRule = async (tx, record, previous) => {
  const appointment = record as unknown as Appointment;
  const before = previous as unknown as Appointment | undefined;
  if (!holdsSlot(appointment.status)) return record;
  const unchanged =
    before !== undefined &&
    holdsSlot(before.status) &&
    before.start === appointment.start &&
    before.end === appointment.end &&
    before.providerId === appointment.providerId;
  if (unchanged) return record;
  const clashes = findOverlaps(appointment, await overlappingAppointments(tx, appointment));
  if (clashes.length > 0) {
    throw new HttpError(409, 'slot-taken', 'the provider is already booked at an overlapping time', {
      field: 'start',
      appointmentIds: clashes.map((c) => c.id),
    });
  }
  return record as Doc;
};

/** A site-local date with a day either side: whatever the site's zone, its day lies within. */
function aroundDate(date: string): { start: string; end: string } {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  return {
    start: new Date(midnight - 86_400_000).toISOString(),
    end: new Date(midnight + 2 * 86_400_000).toISOString(),
  };
}

/** Turns a broken domain rule into the HTTP answer a client can act on. */
function domain<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DomainError) {
      const status = error.code === 'transition-not-allowed' ? 409 : 400;
      const issues = (error.details as { issues?: unknown }).issues;
      throw new HttpError(
        status,
        error.code === 'invalid-record' ? 'invalid-request' : error.code,
        error.message,
        issues === undefined ? error.details : { issues },
      );
    }
    throw error;
  }
}
