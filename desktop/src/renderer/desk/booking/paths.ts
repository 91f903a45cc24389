/**
 * Links into the booking screen, for the patient page, Today's visit panel and
 * the inbox: book for a patient, or move one appointment to a new slot.
 */
export const bookingPaths = {
  forPatient: (patientId: string) => `/book?patient=${encodeURIComponent(patientId)}`,
  reschedule: (appointmentId: string) => `/book?reschedule=${encodeURIComponent(appointmentId)}`,
} as const;
