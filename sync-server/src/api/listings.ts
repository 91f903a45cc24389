import { dayRangeUtc, type AppointmentStatus, type QueueStatus } from '@medisync/shared/domain';
import type { Db } from '#db/db';
import { siteToday } from '#sync/pull';
import { listRecords, type Filter } from './records.js';
import type { IntegrationService } from './service.js';

/**
 * The integration API's searches, for REST and GraphQL alike, so both find the
 * same records by the same rules (docs/architecture.md §9.3). Every search is
 * within the client's site; pages follow `listRecords`' opaque cursors.
 */
interface Paging {
  cursor?: string | undefined;
  limit: number;
}

/** Patients by part of either name, by date of birth, by MRN. */
export function findPatients(
  db: Db,
  siteId: string,
  query: Paging & { name?: string | undefined; dob?: string | undefined; mrn?: string | undefined },
) {
  const filters: Filter[] = [];
  if (query.name)
    filters.push({
      sql: `(doc->>'familyName' ILIKE ? OR doc->>'givenName' ILIKE ?)`,
      value: `%${query.name.replace(/[%_\\]/g, (c) => `\\${c}`)}%`,
    });
  if (query.dob) filters.push({ sql: `doc->>'dob' = ?`, value: query.dob });
  if (query.mrn) filters.push({ sql: `doc->>'mrn' = ?`, value: query.mrn });
  return listRecords(db, 'patients', siteId, { filters, cursor: query.cursor, limit: query.limit });
}

/** Appointments in start order, by site-local date, provider, patient and status. */
export async function findAppointments(
  db: Db,
  api: IntegrationService,
  query: Paging & {
    date?: string | undefined;
    providerId?: string | undefined;
    patientId?: string | undefined;
    status?: AppointmentStatus | undefined;
  },
) {
  const filters: Filter[] = [];
  if (query.date) {
    const site = await api.site();
    const day = dayRangeUtc(query.date, site.timezone);
    filters.push({ sql: `doc->>'start' >= ?`, value: day.start.toISOString() });
    filters.push({ sql: `doc->>'start' < ?`, value: day.end.toISOString() });
  }
  if (query.providerId) filters.push({ sql: `doc->>'providerId' = ?`, value: query.providerId });
  if (query.patientId) filters.push({ sql: `doc->>'patientId' = ?`, value: query.patientId });
  if (query.status) filters.push({ sql: `doc->>'status' = ?`, value: query.status });
  return listRecords(db, 'appointments', api.siteId, {
    filters,
    sortKey: 'start',
    cursor: query.cursor,
    limit: query.limit,
  });
}

/** Today's queue entries at the site (its own time zone's today), in check-in order. */
export async function findTodaysQueue(
  db: Db,
  siteId: string,
  query: Paging & { queue?: string | undefined; status?: QueueStatus | undefined },
) {
  const today = await siteToday(db.pool, siteId);
  const filters: Filter[] = [
    { sql: `doc->>'checkedInAt' >= ?`, value: today.start },
    { sql: `doc->>'checkedInAt' < ?`, value: today.end },
  ];
  if (query.queue) filters.push({ sql: `doc->>'queue' = ?`, value: query.queue });
  if (query.status) filters.push({ sql: `doc->>'status' = ?`, value: query.status });
  return listRecords(db, 'queueEntries', siteId, {
    filters,
    sortKey: 'checkedInAt',
    cursor: query.cursor,
    limit: query.limit,
  });
}

/** Working schedules, optionally of one provider. */
export function findSchedules(db: Db, siteId: string, query: Paging & { providerId?: string | undefined }) {
  const filters = query.providerId ? [{ sql: `doc->>'providerId' = ?`, value: query.providerId }] : [];
  return listRecords(db, 'schedules', siteId, { filters, cursor: query.cursor, limit: query.limit });
}
