import {
  ServerApiError,
  ServerUnreachableError,
  type Enrollment,
  type ServerApi,
} from '@medisync/desktop/shell/browser';
import { useId, useState, type FormEvent } from 'react';

/**
 * Staff-facing (English only): an administrator enrolls the device once with
 * a one-time code from the admin screens, and names it ("Lobby kiosk 1").
 */
export function EnrollmentForm({
  api,
  purpose,
  onEnrolled,
}: {
  api: ServerApi;
  purpose: string;
  onEnrolled: (enrollment: Enrollment) => Promise<void>;
}) {
  const id = useId();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onEnrolled(await api.enroll({ code: code.trim(), name: name.trim() }));
    } catch (failure) {
      setError(
        failure instanceof ServerUnreachableError
          ? 'The MediSync server cannot be reached.'
          : failure instanceof ServerApiError
            ? failure.message
            : 'Enrollment failed.',
      );
      setBusy(false);
    }
  }

  return (
    <main className="enroll" aria-labelledby={`${id}-title`}>
      <form className="enroll__form" onSubmit={submit}>
        <h1 id={`${id}-title`}>Set up this {purpose}</h1>
        <p>Enter the enrollment code from MediSync&apos;s device settings.</p>
        <label htmlFor={`${id}-code`}>Enrollment code</label>
        <input
          id={`${id}-code`}
          className="touch-input"
          autoComplete="off"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <label htmlFor={`${id}-name`}>Device name</label>
        <input
          id={`${id}-name`}
          className="touch-input"
          autoComplete="off"
          required
          placeholder="Lobby kiosk 1"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="touch touch--primary" disabled={busy || !code.trim() || !name.trim()}>
          {busy ? 'Enrolling…' : 'Enroll'}
        </button>
      </form>
    </main>
  );
}
