import type { CollectionName } from '@medisync/shared/domain';

/** The PostgreSQL table behind each replicated collection (see migrations). */
export const tableOf: Record<CollectionName, string> = {
  sites: 'sites',
  providers: 'providers',
  rooms: 'rooms',
  schedules: 'schedules',
  patients: 'patients',
  appointments: 'appointments',
  queueEntries: 'queue_entries',
  ledger: 'ledger',
  notices: 'notices',
};
