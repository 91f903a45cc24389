import { balanceOf, formatMoney, type Appointment, type LedgerEntry, type Patient } from '@medisync/shared/domain';
import type { RxDocument } from 'rxdb';
import { Link } from 'react-router';
import { formatDay } from '../../shell/time.js';
import { visitTypeLabel } from '../labels.js';
import { VISIT_PARAM } from '../shell/paths.js';
import { useLiveQuery } from '../use-query.js';
import type { Workspace } from '../workspace.js';
import './billing.css';

/** A patient's ledger records shown at once: a few per visit, for years of visits. */
const MAX_PATIENT_ENTRIES = 400;

/**
 * A patient's money across visits (docs/architecture.md §9.7): what is due, paid and
 * refunded, in total and per visit, each visit linking to its visit panel,
 * where payments are taken. Read from the replica, so it shows offline too.
 */
export function PatientBilling({ workspace, patient }: { workspace: Workspace; patient: Patient }) {
  const { db } = workspace;
  const timeZone = workspace.session.site.timezone;
  const entries = useLiveQuery(
    () => db.rx.ledger.find({ selector: { patientId: patient.id }, limit: MAX_PATIENT_ENTRIES }),
    [db, patient.id],
    [] as RxDocument<LedgerEntry>[],
  ).map((d) => d.toJSON() as LedgerEntry);
  const visitIds = [...new Set(entries.flatMap((e) => ('appointmentId' in e ? [e.appointmentId] : [])))];
  const visits = useLiveQuery(
    () => db.rx.appointments.findByIds(visitIds),
    [db, visitIds.join()],
    new Map<string, RxDocument<Appointment>>(),
  );
  const total = balanceOf(entries);
  const money = (cents: number) => formatMoney(cents, total.currency ?? 'usd');
  const rows = visitIds
    .map((id) => ({ id, appointment: visits.get(id)?.toJSON() as Appointment | undefined }))
    .sort((a, b) => (b.appointment?.start ?? '').localeCompare(a.appointment?.start ?? ''));

  return (
    <section className="card" aria-labelledby="patient-billing-title" data-testid="patient-billing">
      <h2 id="patient-billing-title">Billing</h2>
      {rows.length === 0 ? (
        <p className="empty">No charges for this patient. A visit's copay is billed from its visit panel.</p>
      ) : (
        <>
          <dl className="billing__totals">
            <div className={total.dueCents > 0 ? 'billing__total billing__total--due' : 'billing__total'}>
              <dt>Due</dt>
              <dd data-testid="patient-due">{money(total.dueCents)}</dd>
            </div>
            <div className="billing__total">
              <dt>Paid</dt>
              <dd data-testid="patient-paid">{money(total.paidCents)}</dd>
            </div>
            <div className="billing__total">
              <dt>Refunded</dt>
              <dd data-testid="patient-refunded">{money(total.refundedCents)}</dd>
            </div>
          </dl>
          <table className="billing__visits">
            <caption className="visually-hidden">Money per visit, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Visit</th>
                <th scope="col" className="billing__money">
                  Due
                </th>
                <th scope="col" className="billing__money">
                  Paid
                </th>
                <th scope="col" className="billing__money">
                  Refunded
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ id, appointment }) => {
                const visit = balanceOf(entries.filter((e) => 'appointmentId' in e && e.appointmentId === id));
                return (
                  <tr key={id}>
                    <td>
                      <Link to={`?${VISIT_PARAM}=${encodeURIComponent(id)}`}>
                        {appointment
                          ? `${formatDay(new Date(appointment.start), timeZone)} · ${visitTypeLabel(appointment.visitType)}`
                          : 'Visit not on this desk'}
                      </Link>
                    </td>
                    <td className="billing__money">{money(visit.dueCents)}</td>
                    <td className="billing__money">{money(visit.paidCents)}</td>
                    <td className="billing__money">{money(visit.refundedCents)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
