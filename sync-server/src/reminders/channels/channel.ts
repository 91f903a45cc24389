/**
 * One small interface per kind of channel (docs/architecture.md §9.4): the
 * scheduler neither knows nor cares whether an email leaves through SMTP or
 * SES, or an SMS through SNS or Twilio.
 */

/** A file sent with a message, e.g. `invoice-0190ab12.pdf` as `application/pdf`. */
export interface EmailFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface EmailMessage {
  /** The message's idempotency key; sent as its Message-ID, so a receiver can drop a repeat. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The patient's one-click unsubscribe link (RFC 8058), also sent as
   * List-Unsubscribe. Reminders have one; a message the desk sends on request
   * (an invoice) has none, as there is nothing to unsubscribe from.
   */
  unsubscribeUrl?: string;
  /** Inline images the HTML refers to by `cid:` (the QR code). */
  inline?: (EmailFile & { cid: string })[];
  /** Files the patient can open or save (an invoice's PDF). */
  attachments?: EmailFile[];
}

export interface SmsMessage {
  id: string;
  /** E.164, e.g. +15550100. */
  to: string;
  body: string;
}

/** What the provider answered: its id for the message, for the delivery log. */
export interface Sent {
  providerMessageId: string;
}

export interface EmailChannel {
  readonly provider: 'smtp' | 'ses';
  send(message: EmailMessage): Promise<Sent>;
  close(): Promise<void>;
}

export interface SmsChannel {
  readonly provider: 'sns' | 'twilio';
  send(message: SmsMessage): Promise<Sent>;
  close(): Promise<void>;
}

/**
 * A provider's definite refusal (a bad address, a number that cannot take SMS):
 * trying again would not help, so the message fails at once. Anything else
 * (a timeout, a 5xx, a dropped connection) is retried with backoff.
 */
export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}
