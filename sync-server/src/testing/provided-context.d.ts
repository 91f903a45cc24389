import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection to the test run's PostgreSQL, for creating per-file databases. */
    adminDatabaseUrl: string;
  }
}
