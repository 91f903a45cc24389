import { changeRecord, HybridClock, newId, type Patient } from '@medisync/shared/domain';
import type { ServerRules } from './store.js';

/** The server's own clock: unique per process, so concurrent instances never tie. */
export const serverClock = new HybridClock(`server-${newId().slice(-12)}`);

/**
 * MRNs are given by the server only, from one sequence, so two desks that
 * register patients offline never hand out the same number.
 */
export const serverRules: ServerRules = {
  patients: [
    async (tx, record) => {
      const patient = record as Patient & { _deleted?: boolean };
      if (patient.mrn !== null) return record;
      const { rows } = await tx.query<{ n: string }>(`SELECT nextval('mrn_seq') AS n`);
      const { _deleted, ...rest } = patient;
      return { ...changeRecord('patients', rest, { mrn: `MRN-${rows[0]!.n}` }, serverClock), _deleted };
    },
  ],
};
