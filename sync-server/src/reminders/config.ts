import { z } from 'zod';
import { duration } from '#ops/duration';

/** How reminders leave the server (docs/architecture.md §9.6); read with the rest of its configuration. */
export interface ReminderConfig {
  /** Null: no email is sent (reminders go by SMS only, or not at all). */
  email: EmailSettings | null;
  /** Null: no SMS is sent. */
  sms: SmsSettings | null;
  /** Where patients' confirm, cancel and unsubscribe links point; absent, the server's own address. */
  publicUrl: string | undefined;
  timing: ReminderTiming;
}

export type EmailSettings =
  | { kind: 'smtp'; url: string; from: string }
  /** `endpoint` overrides AWS's (a local stand-in in tests, a VPC endpoint in production). */
  | { kind: 'ses'; region: string; endpoint: string | undefined; from: string };

export type SmsSettings =
  | { kind: 'sns'; region: string; endpoint: string | undefined }
  /** `apiUrl` replaces https://api.twilio.com (a local stand-in in tests). */
  | { kind: 'twilio'; accountSid: string; authToken: string; from: string; apiUrl: string | undefined };

export interface ReminderTiming {
  /** How often reminders are planned and due messages sent. */
  pollMs: number;
  /** The first retry of a failed send waits this long, each next one twice as long. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After this many failed attempts a message is given up and the desk told. */
  maxAttempts: number;
  /** One send's time limit; also how long a claimed message is leased. */
  sendTimeoutMs: number;
  /** Messages claimed per round. */
  batchSize: number;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** The reminder variables of the server's environment schema (config.ts). */
export function remindersEnv() {
  return {
    REMINDER_EMAIL: z.enum(['none', 'smtp', 'ses'], { error: 'expected none, smtp or ses' }).default('none'),
    REMINDER_SMS: z.enum(['none', 'sns', 'twilio'], { error: 'expected none, sns or twilio' }).default('none'),
    REMINDER_EMAIL_FROM: z.email({ error: 'expected an email address' }).optional(),
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'expected smtp://user:password@host:port or smtps://…' }).optional(),
    AWS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1')
      .default('us-east-1'),
    SES_ENDPOINT: httpUrl.optional(),
    SNS_ENDPOINT: httpUrl.optional(),
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-f]{32}$/, 'expected a Twilio account SID (AC followed by 32 hex digits)')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(16, 'expected a Twilio auth token').optional(),
    TWILIO_FROM: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'expected a phone number in E.164 form (+15550100)')
      .optional(),
    TWILIO_API_URL: httpUrl.optional(),
    PUBLIC_URL: httpUrl.optional(),
    REMINDER_POLL_INTERVAL: duration('100ms', '1h').prefault('30s'),
    REMINDER_RETRY_BASE: duration('100ms', '1d').prefault('1m'),
    REMINDER_RETRY_MAX: duration('100ms', '7d').prefault('1h'),
    REMINDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  };
}

type RemindersEnv = z.output<z.ZodObject<ReturnType<typeof remindersEnv>>>;

/** The reminder settings, or the message naming what is missing for the channels chosen. */
export function reminderConfigOf(e: RemindersEnv): ReminderConfig | string {
  let email: EmailSettings | null = null;
  if (e.REMINDER_EMAIL !== 'none') {
    if (e.REMINDER_EMAIL_FROM === undefined) return `REMINDER_EMAIL=${e.REMINDER_EMAIL} needs REMINDER_EMAIL_FROM`;
    if (e.REMINDER_EMAIL === 'smtp') {
      if (e.SMTP_URL === undefined) return 'REMINDER_EMAIL=smtp needs SMTP_URL';
      email = { kind: 'smtp', url: e.SMTP_URL, from: e.REMINDER_EMAIL_FROM };
    } else {
      email = { kind: 'ses', region: e.AWS_REGION, endpoint: e.SES_ENDPOINT, from: e.REMINDER_EMAIL_FROM };
    }
  }
  let sms: SmsSettings | null = null;
  if (e.REMINDER_SMS === 'sns') sms = { kind: 'sns', region: e.AWS_REGION, endpoint: e.SNS_ENDPOINT };
  if (e.REMINDER_SMS === 'twilio') {
    if (e.TWILIO_ACCOUNT_SID === undefined || e.TWILIO_AUTH_TOKEN === undefined || e.TWILIO_FROM === undefined) {
      return 'REMINDER_SMS=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM';
    }
    sms = {
      kind: 'twilio',
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      from: e.TWILIO_FROM,
      apiUrl: e.TWILIO_API_URL,
    };
  }
  if (e.REMINDER_RETRY_BASE.ms > e.REMINDER_RETRY_MAX.ms) {
    return `REMINDER_RETRY_BASE (${e.REMINDER_RETRY_BASE.text}) is longer than REMINDER_RETRY_MAX (${e.REMINDER_RETRY_MAX.text})`;
  }
  return {
    email,
    sms,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    timing: {
      pollMs: e.REMINDER_POLL_INTERVAL.ms,
      retryBaseMs: e.REMINDER_RETRY_BASE.ms,
      retryMaxMs: e.REMINDER_RETRY_MAX.ms,
      maxAttempts: e.REMINDER_MAX_ATTEMPTS,
      sendTimeoutMs: 15_000,
      batchSize: 20,
    },
  };
}
