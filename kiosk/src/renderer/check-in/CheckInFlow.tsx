import {
  checkInWindow,
  DEFAULT_CHECK_IN_SETTINGS,
  initialLockoutState,
  lockoutStatus,
  recordMiss,
  type CheckInSettings,
  type CheckInWindow,
  type LockoutState,
} from '@medisync/shared/domain';
import { formatTimeOfDay } from '@medisync/desktop/shell/browser';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { catalogues, DEFAULT_LANGUAGE, type Catalogue, type Language } from '../i18n/index.js';
import { LanguageSwitcher } from '../LanguageSwitcher.js';
import type {
  CheckInReceipt,
  CheckInService,
  CodeLookup,
  IdentityQuery,
  IntakeUpdate,
  KioskAppointmentSummary,
  KioskPayments,
  TicketPrinter,
} from './check-in-service.js';
import { CopayPayment } from './CopayPayment.js';
import { QrScanner } from './QrScanner.js';
import { useIdleReset } from './use-idle-reset.js';

type Identity = Extract<IdentityQuery, { kind: 'identity' }>;

type Step =
  | { kind: 'welcome' }
  | { kind: 'identify'; previous?: Identity }
  | { kind: 'confirm'; matches: KioskAppointmentSummary[]; intake?: IntakeUpdate }
  | { kind: 'intake'; matches: KioskAppointmentSummary[] }
  | { kind: 'no-appointment'; identity: Identity }
  | { kind: 'already-here'; appointment: KioskAppointmentSummary }
  | { kind: 'walk-in'; identity: Identity }
  | { kind: 'checking-in' }
  | { kind: 'done'; appointment: KioskAppointmentSummary | null; receipt: CheckInReceipt };

/** A message on screen: errors are alerts; notes are read out through the status region with the screen. */
type Message = { tone: 'error' | 'note'; text: string } | null;

export interface CheckInFlowProps {
  service: CheckInService;
  /** Seconds without a touch before the screen clears itself. */
  idleSeconds: number;
  initialLanguage?: Language;
  /** Where the kiosk can print the ticket; absent, no print button. */
  printer?: TicketPrinter;
  /** Paying the copay after check-in (docs/architecture.md §9.7); absent, the kiosk takes no payments. */
  payments?: KioskPayments;
  now?: () => number;
}

/**
 * Self check-in: identify (family name and date of birth, or a reminder code),
 * confirm (within the site's check-in window, optionally updating phone and
 * insurance), check in, see the ticket; or, without an appointment today,
 * register as a walk-in where the clinic allows it. Large touch targets, every
 * string from the language catalogue, each message shown once (a visually
 * hidden status region repeats the screen for screen readers; errors are
 * alerts), and the screen clears itself after `idleSeconds` without a touch.
 */
export function CheckInFlow({
  service,
  idleSeconds,
  initialLanguage = DEFAULT_LANGUAGE,
  printer,
  payments,
  now = Date.now,
}: CheckInFlowProps) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [step, setStep] = useState<Step>({ kind: 'welcome' });
  const [message, setMessage] = useState<Message>(null);
  const [live, setLive] = useState('');
  const [settings, setSettings] = useState<CheckInSettings>(DEFAULT_CHECK_IN_SETTINGS);
  // Kept across resets, reloads and restarts: walking away or pulling the plug must not clear the misses.
  const [lockout, setLockout] = useState<LockoutState>(initialLockoutState);
  const [, setTick] = useState(0);
  const t = catalogues[language];
  const headingRef = useRef<HTMLHeadingElement>(null);
  const time = (iso: string) => formatTimeOfDay(iso, service.timeZone);
  const lock = lockoutStatus(lockout, now());

  useEffect(() => {
    void service.loadLockout().then(setLockout);
    void service.settings().then(setSettings);
  }, [service]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    headingRef.current?.focus();
  }, [step.kind]);
  // The lock opens by itself: look again when it is due.
  useEffect(() => {
    if (!lock.locked) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), lock.retryInMs + 50);
    return () => clearTimeout(timer);
  }, [lock.locked, lock.retryInMs]);

  const go = (next: Step, announce = '', shown: Message = null) => {
    setStep(next);
    setMessage(shown);
    setLive(announce);
  };
  const reset = () => {
    go({ kind: 'welcome' });
    setLanguage(initialLanguage);
  };
  useIdleReset(idleSeconds, step.kind !== 'welcome' || language !== initialLanguage, reset);

  function start() {
    void service.settings().then(setSettings);
    go({ kind: 'identify' });
  }

  async function find(query: IdentityQuery) {
    const current = await service.loadLockout();
    if (lockoutStatus(current, now()).locked) {
      setLockout(current);
      return;
    }
    setLive(t.searching);
    setMessage(null);
    try {
      let matches: KioskAppointmentSummary[];
      if (query.kind === 'identity') {
        matches = await service.find(query);
        // Someone waiting to be seen is told so, even with a later visit today, unless that one may be checked in now.
        const opensNow = (m: KioskAppointmentSummary) => canCheckIn(checkInWindow(m, new Date(now()), settings));
        if (!matches.some(opensNow) && (await showAlreadyHere(query))) return;
      } else {
        const lookup = await service.findByCode(query.code);
        if (lookup.kind === 'used' && (await showAlreadyHere(query))) return;
        if (lookup.kind !== 'found' && lookup.kind !== 'not-found') {
          // A real code that checks nobody in (used, another day, cancelled) or a typo: said plainly, no miss counted.
          go({ kind: 'identify' }, '', { tone: 'error', text: codeRefusal(t, lookup.kind) });
          return;
        }
        matches = lookup.kind === 'found' ? [lookup.appointment] : [];
      }
      if (matches.length === 0) {
        const next = recordMiss(current, now());
        await service.saveLockout(next);
        setLockout(next);
        if (lockoutStatus(next, now()).locked) go({ kind: 'identify' });
        else if (query.kind === 'identity') go({ kind: 'no-appointment', identity: query });
        else go({ kind: 'identify' }, '', { tone: 'error', text: t.codeNotFound });
        return;
      }
      const first = matches[0]!;
      const notice =
        matches.length === 1 ? windowNotice(t, checkInWindow(first, new Date(now()), settings), first, time) : null;
      go({ kind: 'confirm', matches }, [t.greeting(greetingName(first)), notice?.text].filter(Boolean).join('. '));
    } catch {
      setLive('');
      setMessage({ tone: 'error', text: t.failed });
    }
  }

  /** A patient checked in already who asks again is told so: a real match, so no miss is counted. */
  async function showAlreadyHere(query: IdentityQuery): Promise<boolean> {
    const appointment = await service.alreadyHere(query);
    if (appointment === null) return false;
    go({ kind: 'already-here', appointment }, `${t.alreadyHereTitle}. ${t.alreadyHere}`);
    return true;
  }

  async function finish(run: () => Promise<CheckInReceipt>, appointment: KioskAppointmentSummary | null, back: Step) {
    go({ kind: 'checking-in' }, t.checkingIn);
    try {
      const receipt = await run();
      go(
        { kind: 'done', appointment, receipt },
        receipt.ticketCode ? `${t.doneTitle}. ${t.ticket}: ${receipt.ticketCode}` : t.doneTitle,
      );
      if (printer?.automatic) void printer.print().catch(() => undefined);
    } catch {
      go(back, '', { tone: 'error', text: t.failed });
    }
  }

  const header = (title: string, lead?: ReactNode) => (
    <>
      <h1 ref={headingRef} tabIndex={-1}>
        {title}
      </h1>
      {lead}
    </>
  );

  return (
    <div className="kiosk" lang={language}>
      <header className="kiosk__header">
        <LanguageSwitcher language={language} onChange={setLanguage} label={t.language} />
      </header>
      <main className="kiosk__main">
        {step.kind === 'welcome' && (
          <section className="kiosk__step">
            {header(t.welcomeTitle, <p className="kiosk__lead">{t.welcomeLead}</p>)}
            <button type="button" className="touch touch--primary" onClick={start}>
              {t.start}
            </button>
          </section>
        )}
        {step.kind === 'identify' && (
          <IdentifyStep
            key={language}
            t={t}
            language={language}
            headingRef={headingRef}
            previous={step.previous}
            locked={lock.locked}
            onFind={find}
            onBack={reset}
            onIncomplete={() => setMessage({ tone: 'error', text: t.incomplete })}
          />
        )}
        {step.kind === 'no-appointment' && (
          <section className="kiosk__step">
            {header(t.noAppointmentTitle, <p className="kiosk__lead">{t.noAppointment}</p>)}
            {settings.walkIns ? (
              <>
                <p className="kiosk__lead">{t.walkInOffer}</p>
                <div className="kiosk__actions">
                  <button
                    type="button"
                    className="touch"
                    onClick={() => go({ kind: 'identify', previous: step.identity })}
                  >
                    {t.tryAgain}
                  </button>
                  <button
                    type="button"
                    className="touch touch--primary"
                    onClick={() => go({ kind: 'walk-in', identity: step.identity })}
                  >
                    {t.walkInStart}
                  </button>
                </div>
              </>
            ) : (
              <>
                <p className="kiosk__lead">{t.seeDesk}</p>
                <div className="kiosk__actions">
                  <button type="button" className="touch" onClick={reset}>
                    {t.finish}
                  </button>
                  <button
                    type="button"
                    className="touch touch--primary"
                    onClick={() => go({ kind: 'identify', previous: step.identity })}
                  >
                    {t.tryAgain}
                  </button>
                </div>
              </>
            )}
          </section>
        )}
        {step.kind === 'walk-in' && (
          <WalkInStep
            t={t}
            language={language}
            headingRef={headingRef}
            identity={step.identity}
            onBack={() => go({ kind: 'no-appointment', identity: step.identity })}
            onIncomplete={() => setMessage({ tone: 'error', text: t.incomplete })}
            onRegister={(registration) =>
              void finish(() => service.registerWalkIn(registration), null, {
                kind: 'walk-in',
                identity: step.identity,
              })
            }
          />
        )}
        {step.kind === 'confirm' && (
          <section className="kiosk__step">
            {header(confirmTitle(t, step.matches, settings, now))}
            <ul className="kiosk__matches">
              {step.matches.map((appointment) => {
                const window = checkInWindow(appointment, new Date(now()), settings);
                const notice = windowNotice(t, window, appointment, time);
                return (
                  <li key={appointment.id} className="kiosk__match">
                    <p className="kiosk__greeting">{t.greeting(greetingName(appointment))}</p>
                    <p>{t.appointmentAt(time(appointment.start), appointment.providerDisplayName)}</p>
                    {notice && <p className={`kiosk__note kiosk__note--${notice.tone}`}>{notice.text}</p>}
                    {canCheckIn(window) && (
                      <button
                        type="button"
                        className="touch touch--primary"
                        onClick={() =>
                          void finish(() => service.checkIn(appointment.id, step.intake), appointment, step)
                        }
                      >
                        {t.confirm}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
            {/* The intake goes up with a check-in: offered only where one can be made. */}
            {step.matches.some((a) => canCheckIn(checkInWindow(a, new Date(now()), settings))) && (
              <button type="button" className="touch" onClick={() => go({ kind: 'intake', matches: step.matches })}>
                {t.updateDetails}
              </button>
            )}
            <button type="button" className="touch" onClick={() => go({ kind: 'identify' })}>
              {t.notMe}
            </button>
          </section>
        )}
        {step.kind === 'intake' && (
          <IntakeStep
            t={t}
            headingRef={headingRef}
            onBack={() => go({ kind: 'confirm', matches: step.matches })}
            onError={(text) => setMessage({ tone: 'error', text })}
            onSave={(intake) =>
              go(
                { kind: 'confirm', matches: step.matches, ...(intake ? { intake } : {}) },
                intake ? t.detailsSaved : '',
                intake ? { tone: 'note', text: t.detailsSaved } : null,
              )
            }
          />
        )}
        {step.kind === 'already-here' && (
          <section className="kiosk__step">
            {header(
              t.alreadyHereTitle,
              <>
                <p className="kiosk__lead">{t.greeting(greetingName(step.appointment))}</p>
                <p className="kiosk__lead">{t.alreadyHere}</p>
              </>,
            )}
            <div className="kiosk__actions">
              <button type="button" className="touch touch--primary" onClick={reset}>
                {t.finish}
              </button>
            </div>
          </section>
        )}
        {step.kind === 'checking-in' && (
          <section className="kiosk__step" aria-busy="true">
            {header(t.checkingIn)}
          </section>
        )}
        {step.kind === 'done' && (
          <section className="kiosk__step">
            {header(t.doneTitle)}
            <div className="ticket" data-testid="ticket">
              {step.receipt.ticketCode && (
                <p className="kiosk__ticket">
                  <span>{t.ticket}</span>
                  <strong data-testid="ticket-code">{step.receipt.ticketCode}</strong>
                </p>
              )}
              <p className="kiosk__lead" data-testid="wait">
                {waitText(t, step.receipt, step.appointment, time)}
              </p>
            </div>
            {printer?.automatic && <p className="kiosk__lead">{t.ticketPrinted}</p>}
            {payments && step.appointment && (
              <CopayPayment payments={payments} appointmentId={step.appointment.id} t={t} language={language} />
            )}
            <div className="kiosk__actions">
              {printer && !printer.automatic && step.receipt.ticketCode && (
                <button type="button" className="touch" onClick={() => void printer.print().catch(() => undefined)}>
                  {t.printTicket}
                </button>
              )}
              <button type="button" className="touch touch--primary" onClick={reset}>
                {t.finish}
              </button>
            </div>
          </section>
        )}
        {message?.tone === 'error' && (
          <p className="kiosk__message kiosk__message--error" role="alert" data-testid="kiosk-error">
            {message.text}
          </p>
        )}
        {message?.tone === 'note' && <p className="kiosk__message">{message.text}</p>}
        <p className="visually-hidden" role="status" aria-live="polite" data-testid="kiosk-live">
          {live}
        </p>
      </main>
    </div>
  );
}

function canCheckIn(window: CheckInWindow): boolean {
  return window.kind === 'open' || (window.kind === 'too-early' && window.allowed);
}

function greetingName(appointment: KioskAppointmentSummary): string {
  return `${appointment.patientGivenName} ${appointment.patientFamilyInitial}.`;
}

function confirmTitle(
  t: Catalogue,
  matches: KioskAppointmentSummary[],
  settings: CheckInSettings,
  now: () => number,
): string {
  if (matches.length !== 1) return t.confirmTitle;
  const window = checkInWindow(matches[0]!, new Date(now()), settings);
  if (window.kind === 'too-late') return t.tooLateTitle;
  if (window.kind === 'too-early') return t.tooEarlyTitle;
  return t.confirmTitle;
}

function windowNotice(
  t: Catalogue,
  window: CheckInWindow,
  appointment: KioskAppointmentSummary,
  time: (iso: string) => string,
): { tone: 'warn' | 'info'; text: string } | null {
  if (window.kind === 'too-late') return { tone: 'warn', text: t.tooLate(time(appointment.start)) };
  if (window.kind === 'too-early') {
    return window.allowed
      ? { tone: 'info', text: t.earlyAllowed(time(appointment.start)) }
      : { tone: 'warn', text: t.tooEarly(time(appointment.start), time(window.opensAt)) };
  }
  return null;
}

function waitText(
  t: Catalogue,
  receipt: CheckInReceipt,
  appointment: KioskAppointmentSummary | null,
  time: (iso: string) => string,
): string {
  if (receipt.wait === null) return t.waitUnknown;
  if (receipt.wait.byAppointment && appointment !== null) return t.waitUntil(time(appointment.start));
  return t.waitEstimate(receipt.wait.minutes);
}

function IdentifyStep({
  t,
  language,
  headingRef,
  previous,
  locked,
  onFind,
  onBack,
  onIncomplete,
}: {
  t: Catalogue;
  language: Language;
  headingRef: RefObject<HTMLHeadingElement | null>;
  previous?: Identity;
  locked: boolean;
  onFind: (query: IdentityQuery) => Promise<void>;
  onBack: () => void;
  onIncomplete: () => void;
}) {
  const id = useId();
  const [by, setBy] = useState<IdentityQuery['kind']>('identity');
  const [familyName, setFamilyName] = useState(previous?.familyName ?? '');
  const [prevYear, prevMonth, prevDay] = previous?.dob.split('-') ?? [];
  const [day, setDay] = useState(prevDay ? String(Number(prevDay)) : '');
  const [month, setMonth] = useState(prevMonth ? String(Number(prevMonth)) : '');
  const [year, setYear] = useState(prevYear ?? '');
  const [code, setCode] = useState('');
  const [scanning, setScanning] = useState(false);
  const [cameraUnavailable, setCameraUnavailable] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  // Without a camera the scanner closes, says so once, and leaves the patient in the code field.
  const unavailable = useCallback(() => {
    setScanning(false);
    setCameraUnavailable(true);
    codeInput.current?.focus();
  }, []);
  const scanned = useCallback(
    (read: string) => {
      setScanning(false);
      setCode(read);
      setBusy(true);
      void onFind({ kind: 'reminder-code', code: read }).finally(() => setBusy(false));
    },
    [onFind],
  );
  const monthNames = Array.from({ length: 12 }, (_, i) =>
    new Intl.DateTimeFormat(language, { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, i, 15))),
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    let query: IdentityQuery | null = null;
    if (by === 'identity') {
      const dob = dateOfBirth(day, month, year);
      if (familyName.trim() && dob !== null) query = { kind: 'identity', familyName: familyName.trim(), dob };
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
        <>
          <p className="kiosk__message kiosk__message--error" role="alert" data-testid="kiosk-locked">
            {t.locked}
          </p>
          <button type="button" className="touch" onClick={onBack}>
            {t.back}
          </button>
        </>
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
                ref={codeInput}
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
              {scanning ? (
                <QrScanner t={t} onCode={scanned} onUnavailable={unavailable} onClose={() => setScanning(false)} />
              ) : cameraUnavailable ? (
                <p className="kiosk__message kiosk__message--error" role="alert">
                  {t.scanUnavailable}
                </p>
              ) : (
                <button type="button" className="touch" onClick={() => setScanning(true)}>
                  {t.scanQr}
                </button>
              )}
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

/** Why a reminder's code checks no one in, in the patient's language. */
function codeRefusal(t: Catalogue, kind: Exclude<CodeLookup['kind'], 'found' | 'not-found'>): string {
  switch (kind) {
    case 'malformed':
      return t.codeMalformed;
    case 'other-day':
      return t.codeOtherDay;
    case 'used':
      return t.codeUsed;
    case 'unavailable':
      return t.codeUnavailable;
  }
}

function dateOfBirth(day: string, month: string, year: string): string | null {
  const d = Number(day);
  const y = Number(year);
  if (!(d >= 1 && d <= 31 && month && y >= 1900 && y <= 2100)) return null;
  return `${y}-${month.padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function WalkInStep({
  t,
  language,
  headingRef,
  identity,
  onBack,
  onIncomplete,
  onRegister,
}: {
  t: Catalogue;
  language: Language;
  headingRef: RefObject<HTMLHeadingElement | null>;
  identity: Identity;
  onBack: () => void;
  onIncomplete: () => void;
  onRegister: (registration: {
    givenName: string;
    familyName: string;
    dob: string;
    phone: string | null;
    preferredLanguage: string;
  }) => void;
}) {
  const id = useId();
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState(identity.familyName);
  const [phone, setPhone] = useState('');
  const dob = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${identity.dob}T12:00:00Z`),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!givenName.trim() || !familyName.trim()) {
      onIncomplete();
      return;
    }
    onRegister({
      givenName: givenName.trim().slice(0, 100),
      familyName: familyName.trim().slice(0, 100),
      dob: identity.dob,
      phone: phone.trim() ? phone.trim().slice(0, 40) : null,
      preferredLanguage: language,
    });
  }

  return (
    <section className="kiosk__step">
      <h1 ref={headingRef} tabIndex={-1}>
        {t.walkInTitle}
      </h1>
      <form className="kiosk__form" onSubmit={submit} noValidate>
        <label htmlFor={`${id}-given`}>{t.givenName}</label>
        <input
          id={`${id}-given`}
          className="touch-input"
          autoComplete="off"
          autoCapitalize="words"
          spellCheck={false}
          value={givenName}
          onChange={(e) => setGivenName(e.target.value)}
        />
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
        <p className="kiosk__fact">
          {t.dateOfBirth}: <strong>{dob}</strong>
        </p>
        <label htmlFor={`${id}-phone`}>{t.phoneOptional}</label>
        <input
          id={`${id}-phone`}
          className="touch-input"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          maxLength={40}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
        />
        <div className="kiosk__actions">
          <button type="button" className="touch" onClick={onBack}>
            {t.back}
          </button>
          <button type="submit" className="touch touch--primary">
            {t.walkInSubmit}
          </button>
        </div>
      </form>
    </section>
  );
}

function IntakeStep({
  t,
  headingRef,
  onBack,
  onError,
  onSave,
}: {
  t: Catalogue;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onBack: () => void;
  onError: (text: string) => void;
  onSave: (intake: IntakeUpdate | null) => void;
}) {
  const id = useId();
  const [phone, setPhone] = useState('');
  const [payer, setPayer] = useState('');
  const [memberId, setMemberId] = useState('');
  const [group, setGroup] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    const intake: IntakeUpdate = {};
    if (phone.trim()) intake.phone = phone.trim().slice(0, 40);
    if (payer.trim() || memberId.trim() || group.trim()) {
      if (!payer.trim() || !memberId.trim()) {
        onError(t.insuranceIncomplete);
        return;
      }
      intake.insurance = {
        payer: payer.trim().slice(0, 200),
        memberId: memberId.trim().slice(0, 64),
        groupNumber: group.trim() ? group.trim().slice(0, 64) : null,
      };
    }
    onSave(Object.keys(intake).length > 0 ? intake : null);
  }

  const field = (name: string, label: string, value: string, set: (v: string) => void, tel = false) => (
    <>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        className="touch-input"
        autoComplete="off"
        spellCheck={false}
        {...(tel ? { type: 'tel', inputMode: 'tel' as const } : {})}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    </>
  );

  return (
    <section className="kiosk__step">
      <h1 ref={headingRef} tabIndex={-1}>
        {t.updateTitle}
      </h1>
      <p className="kiosk__lead">{t.updateLead}</p>
      <form className="kiosk__form" onSubmit={submit} noValidate>
        {field('phone', t.phone, phone, setPhone, true)}
        {field('payer', t.insurancePayer, payer, setPayer)}
        {field('member', t.insuranceMemberId, memberId, setMemberId)}
        {field('group', t.insuranceGroup, group, setGroup)}
        <div className="kiosk__actions">
          <button type="button" className="touch" onClick={onBack}>
            {t.back}
          </button>
          <button type="submit" className="touch touch--primary">
            {t.saveDetails}
          </button>
        </div>
      </form>
    </section>
  );
}
