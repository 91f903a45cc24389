import { initialLockoutState, lockoutStatus, recordMiss, type LockoutState } from '@medisync/shared/domain';
import { formatTimeOfDay } from '@medisync/desktop/shell/browser';
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { catalogues, DEFAULT_LANGUAGE, type Catalogue, type Language } from '../i18n/index.js';
import { LanguageSwitcher } from '../LanguageSwitcher.js';
import type { CheckInReceipt, CheckInService, IdentityQuery, KioskAppointmentSummary } from './check-in-service.js';
import { useIdleReset } from './use-idle-reset.js';

type Step =
  | { kind: 'welcome' }
  | { kind: 'identify' }
  | { kind: 'confirm'; matches: KioskAppointmentSummary[] }
  | { kind: 'checking-in'; appointment: KioskAppointmentSummary }
  | { kind: 'done'; appointment: KioskAppointmentSummary; receipt: CheckInReceipt };

export interface CheckInFlowProps {
  service: CheckInService;
  /** Seconds without a touch before the screen clears itself. */
  idleSeconds: number;
  initialLanguage?: Language;
  now?: () => number;
}

/**
 * Self check-in: identify (family name and date of birth, or a reminder code),
 * confirm, check in, see the ticket. Large touch targets, every string from the
 * language catalogue, results announced to screen readers, and the screen
 * clears itself after `idleSeconds` without a touch.
 */
export function CheckInFlow({
  service,
  idleSeconds,
  initialLanguage = DEFAULT_LANGUAGE,
  now = Date.now,
}: CheckInFlowProps) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [step, setStep] = useState<Step>({ kind: 'welcome' });
  const [live, setLive] = useState('');
  // Kept across resets: walking away must not clear the misses.
  const lockout = useRef<LockoutState>(initialLockoutState);
  const t = catalogues[language];
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    headingRef.current?.focus();
  }, [step.kind]);

  const reset = () => {
    setStep({ kind: 'welcome' });
    setLanguage(initialLanguage);
    setLive('');
  };
  useIdleReset(idleSeconds, step.kind !== 'welcome' || language !== initialLanguage, reset);

  async function find(query: IdentityQuery) {
    if (lockoutStatus(lockout.current, now()).locked) {
      setLive(t.locked);
      return;
    }
    setLive(t.searching);
    try {
      const matches = await service.find(query);
      if (matches.length === 0) {
        lockout.current = recordMiss(lockout.current, now());
        setLive(lockoutStatus(lockout.current, now()).locked ? t.locked : t.notFound);
        return;
      }
      const first = matches[0]!;
      setLive(t.greeting(`${first.patientGivenName} ${first.patientFamilyInitial}.`));
      setStep({ kind: 'confirm', matches });
    } catch {
      setLive(t.failed);
    }
  }

  async function checkIn(appointment: KioskAppointmentSummary) {
    setStep({ kind: 'checking-in', appointment });
    setLive(t.checkingIn);
    try {
      const receipt = await service.checkIn(appointment.id);
      setStep({ kind: 'done', appointment, receipt });
      setLive(receipt.ticketCode ? `${t.doneTitle}. ${t.ticket}: ${receipt.ticketCode}` : t.doneTitle);
    } catch {
      setStep({ kind: 'confirm', matches: [appointment] });
      setLive(t.failed);
    }
  }

  return (
    <div className="kiosk" lang={language}>
      <header className="kiosk__header">
        <LanguageSwitcher language={language} onChange={setLanguage} label={t.language} />
      </header>
      <main className="kiosk__main">
        {step.kind === 'welcome' && (
          <section className="kiosk__step">
            <h1 ref={headingRef} tabIndex={-1}>
              {t.welcomeTitle}
            </h1>
            <p className="kiosk__lead">{t.welcomeLead}</p>
            <button type="button" className="touch touch--primary" onClick={() => setStep({ kind: 'identify' })}>
              {t.start}
            </button>
          </section>
        )}
        {step.kind === 'identify' && (
          <IdentifyStep
            t={t}
            language={language}
            headingRef={headingRef}
            locked={lockoutStatus(lockout.current, now()).locked}
            onFind={find}
            onBack={reset}
            onIncomplete={() => setLive(t.incomplete)}
          />
        )}
        {step.kind === 'confirm' && (
          <section className="kiosk__step">
            <h1 ref={headingRef} tabIndex={-1}>
              {t.confirmTitle}
            </h1>
            <ul className="kiosk__matches">
              {step.matches.map((appointment) => (
                <li key={appointment.id} className="kiosk__match">
                  <p className="kiosk__greeting">
                    {t.greeting(`${appointment.patientGivenName} ${appointment.patientFamilyInitial}.`)}
                  </p>
                  <p>
                    {t.appointmentAt(
                      formatTimeOfDay(appointment.start, service.timeZone),
                      appointment.providerDisplayName,
                    )}
                  </p>
                  <button type="button" className="touch touch--primary" onClick={() => void checkIn(appointment)}>
                    {t.confirm}
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" className="touch" onClick={() => setStep({ kind: 'identify' })}>
              {t.notMe}
            </button>
          </section>
        )}
        {step.kind === 'checking-in' && (
          <section className="kiosk__step" aria-busy="true">
            <h1 ref={headingRef} tabIndex={-1}>
              {t.checkingIn}
            </h1>
          </section>
        )}
        {step.kind === 'done' && (
          <section className="kiosk__step">
            <h1 ref={headingRef} tabIndex={-1}>
              {t.doneTitle}
            </h1>
            {step.receipt.ticketCode && (
              <p className="kiosk__ticket">
                <span>{t.ticket}</span>
                <strong data-testid="ticket-code">{step.receipt.ticketCode}</strong>
              </p>
            )}
            <p className="kiosk__lead">
              {step.receipt.waitMinutes !== null ? t.waitEstimate(step.receipt.waitMinutes) : t.waitUnknown}
            </p>
            <button type="button" className="touch touch--primary" onClick={reset}>
              {t.finish}
            </button>
          </section>
        )}
        <p className="kiosk__live" role="status" aria-live="polite" data-testid="kiosk-live">
          {live}
        </p>
      </main>
    </div>
  );
}

function IdentifyStep({
  t,
  language,
  headingRef,
  locked,
  onFind,
  onBack,
  onIncomplete,
}: {
  t: Catalogue;
  language: Language;
  headingRef: RefObject<HTMLHeadingElement | null>;
  locked: boolean;
  onFind: (query: IdentityQuery) => Promise<void>;
  onBack: () => void;
  onIncomplete: () => void;
}) {
  const id = useId();
  const [by, setBy] = useState<IdentityQuery['kind']>('identity');
  const [familyName, setFamilyName] = useState('');
  const [day, setDay] = useState('');
  const [month, setMonth] = useState('');
  const [year, setYear] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const monthNames = Array.from({ length: 12 }, (_, i) =>
    new Intl.DateTimeFormat(language, { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, i, 15))),
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    let query: IdentityQuery | null = null;
    if (by === 'identity') {
      const d = Number(day);
      const y = Number(year);
      if (familyName.trim() && d >= 1 && d <= 31 && month && y >= 1900 && y <= 2100) {
        query = {
          kind: 'identity',
          familyName: familyName.trim(),
          dob: `${y}-${month.padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        };
      }
    } else if (code.trim()) {
      query = { kind: 'reminder-code', code: code.trim().toUpperCase() };
    }
    if (query === null) {
      onIncomplete();
      return;
    }
    setBusy(true);
    await onFind(query);
    setBusy(false);
  }

  return (
    <section className="kiosk__step">
      <h1 ref={headingRef} tabIndex={-1}>
        {t.identifyTitle}
      </h1>
      {locked ? (
        <p className="kiosk__lead" role="alert">
          {t.locked}
        </p>
      ) : (
        <form className="kiosk__form" onSubmit={submit} noValidate>
          <fieldset className="kiosk__choice">
            <legend>{t.identifyBy}</legend>
            {(['identity', 'reminder-code'] as const).map((kind) => (
              <label key={kind} className={`touch touch--choice${by === kind ? ' is-selected' : ''}`}>
                <input type="radio" name={`${id}-by`} value={kind} checked={by === kind} onChange={() => setBy(kind)} />
                {kind === 'identity' ? t.byName : t.byCode}
              </label>
            ))}
          </fieldset>
          {by === 'identity' ? (
            <>
              <label htmlFor={`${id}-family`}>{t.familyName}</label>
              <input
                id={`${id}-family`}
                className="touch-input"
                autoComplete="off"
                autoCapitalize="words"
                spellCheck={false}
                value={familyName}
                onChange={(e) => setFamilyName(e.target.value)}
              />
              <fieldset className="kiosk__dob">
                <legend>{t.dateOfBirth}</legend>
                <label>
                  {t.day}
                  <input
                    className="touch-input"
                    inputMode="numeric"
                    maxLength={2}
                    autoComplete="off"
                    value={day}
                    onChange={(e) => setDay(e.target.value.replace(/\D/g, ''))}
                  />
                </label>
                <label>
                  {t.month}
                  <select className="touch-input" value={month} onChange={(e) => setMonth(e.target.value)}>
                    <option value="" />
                    {monthNames.map((name, i) => (
                      <option key={name} value={String(i + 1)}>
                        {name}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t.year}
                  <input
                    className="touch-input"
                    inputMode="numeric"
                    maxLength={4}
                    autoComplete="off"
                    value={year}
                    onChange={(e) => setYear(e.target.value.replace(/\D/g, ''))}
                  />
                </label>
              </fieldset>
            </>
          ) : (
            <>
              <label htmlFor={`${id}-code`}>{t.reminderCode}</label>
              <input
                id={`${id}-code`}
                className="touch-input"
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                aria-describedby={`${id}-code-hint`}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
              <p id={`${id}-code-hint`} className="kiosk__hint">
                {t.reminderCodeHint}
              </p>
            </>
          )}
          <div className="kiosk__actions">
            <button type="button" className="touch" onClick={onBack}>
              {t.back}
            </button>
            <button type="submit" className="touch touch--primary" disabled={busy}>
              {busy ? t.searching : t.find}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
