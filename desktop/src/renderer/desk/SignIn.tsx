import { useId, useRef, useState, type FormEvent } from 'react';
import type { Platform } from '../shell/platform/index.js';
import { ServerApiError, ServerUnreachableError, type ServerApi } from '../shell/server-api.js';
import { StaffSession } from './staff-session.js';

interface SiteChoice {
  id: string;
  name: string;
}

/** The sites offered when an account works at several: the server lists them in the 409's details. */
function sitesOf(details: unknown): SiteChoice[] {
  const sites = (details as { sites?: unknown } | null)?.sites;
  if (!Array.isArray(sites)) return [];
  return sites.filter(
    (s): s is SiteChoice =>
      typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.name === 'string',
  );
}

function messageFor(error: unknown): string {
  if (error instanceof ServerUnreachableError) {
    return 'The MediSync server cannot be reached. Check the network, or ask your administrator.';
  }
  if (error instanceof ServerApiError) {
    switch (error.code) {
      case 'invalid-credentials':
        return 'The email or password is not correct.';
      case 'rate-limited':
        return 'Too many sign-in attempts. Wait a minute, then try again.';
      case 'site-required':
        return 'Choose the site you are working at today.';
      default:
        return error.message;
    }
  }
  return 'Signing in failed. Try again.';
}

export function SignIn({
  api,
  platform,
  notice,
  onSignedIn,
}: {
  api: ServerApi;
  platform: Platform;
  notice: string | null;
  onSignedIn: (session: StaffSession) => void;
}) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sites, setSites] = useState<SiteChoice[]>([]);
  const [siteId, setSiteId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await StaffSession.signIn(api, platform, {
        email: email.trim(),
        password,
        ...(siteId ? { siteId } : {}),
      });
      onSignedIn(session);
    } catch (failure) {
      if (failure instanceof ServerApiError && failure.code === 'site-required') {
        const choices = sitesOf(failure.details);
        setSites(choices);
        setSiteId(choices[0]?.id ?? '');
      }
      if (failure instanceof ServerApiError && failure.code === 'invalid-credentials') setPassword('');
      setError(messageFor(failure));
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" aria-labelledby={`${id}-title`}>
      <form className="sign-in__form" onSubmit={submit} aria-describedby={error ? `${id}-error` : undefined} noValidate>
        <h1 id={`${id}-title`}>MediSync</h1>
        <p className="sign-in__lead">Sign in to the front desk</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          ref={emailRef}
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {sites.length > 0 && (
          <>
            <label htmlFor={`${id}-site`}>Site</label>
            <select id={`${id}-site`} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              {sites.map((site) => (
                <option key={site.id} value={site.id}>
                  {site.name}
                </option>
              ))}
            </select>
          </>
        )}
        {error && (
          <p id={`${id}-error`} className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy || !email || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
