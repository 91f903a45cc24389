/**
 * Every desk screen has a URL (hash routing, so it works the same when the page
 * is served at /app/desktop/ and from Electron's app:// protocol). Screens link
 * to each other through these helpers, never by spelling paths themselves.
 *
 * The visit panel is a search parameter (`?visit=<appointmentId>`), not a path:
 * it slides in over whichever screen is open, so the list behind it stays put.
 */
export const deskPaths = {
  today: (date?: string) => (date ? `/today?date=${date}` : '/today'),
  queue: () => '/queue',
  patients: () => '/patients',
  patient: (patientId: string) => `/patients/${encodeURIComponent(patientId)}`,
  book: () => '/book',
  inbox: () => '/inbox',
  /** Admins only. */
  reports: () => '/reports',
  /** Admins only. */
  rooms: () => '/rooms',
  /** Admins only. */
  fees: () => '/fees',
} as const;

/** The search parameter that opens the visit panel for an appointment. */
export const VISIT_PARAM = 'visit';
