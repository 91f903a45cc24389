import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The whole MIME message as it arrived. */
  raw: string;
  messageId: string | null;
  /** Its parts sent as attachments (not inline images), decoded. */
  attachments: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * The attachments of a raw MIME message, as a mail client would list them:
 * every part of any multipart level whose Content-Disposition is `attachment`.
 * Enough MIME for what nodemailer writes; not a general parser.
 */
export function mimeAttachments(raw: string): MailAttachment[] {
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1]!);
  return boundaries.flatMap((boundary) =>
    raw
      .split(`--${boundary}`)
      .slice(1, -1)
      .flatMap((part) => {
        const [head = '', ...body] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
        const headers = head.replace(/\r?\n[ \t]+/g, ' ');
        const disposition = /^Content-Disposition:\s*attachment(.*)$/im.exec(headers);
        if (!disposition) return [];
        const content = body.join('\r\n\r\n');
        return [
          {
            filename: /filename="?([^";]+)"?/i.exec(disposition[1]!)?.[1] ?? '',
            contentType: /^Content-Type:\s*([^;\s]+)/im.exec(headers)?.[1]?.toLowerCase() ?? '',
            content: /^Content-Transfer-Encoding:\s*base64/im.test(headers)
              ? Buffer.from(content.replace(/\s+/g, ''), 'base64')
              : Buffer.from(content.replace(/\r?\n$/, ''), 'latin1'),
          },
        ];
      }),
  );
}

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1, standing in for
 * the clinic's mail relay: the email channel (reminders, emailed invoices)
 * talks SMTP to it through nodemailer exactly as it would to a real one. It can refuse the next
 * messages with a temporary error, or hold its answer to one until released.
 */
export class SmtpStandIn {
  readonly messages: ReceivedMail[] = [];
  private failures: { code: number; message: string }[] = [];
  private held: ((release: () => void) => void) | null = null;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpStandIn> {
    // The handlers run only once the stand-in exists: the server answers nothing before it listens.
    const ref: { standIn?: SmtpStandIn } = {};
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => ref.standIn!.receive(Buffer.concat(chunks).toString('utf8'), session, callback));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const standIn = new SmtpStandIn(server, (server.server.address() as AddressInfo).port);
    ref.standIn = standIn;
    return standIn;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The next `count` messages are refused with `code` (4xx: try later; 5xx: never). */
  refuseNext(count: number, code = 451, message = 'Try again later'): void {
    for (let i = 0; i < count; i++) this.failures.push({ code, message });
  }

  /** The next message is taken but not answered until the returned function is called. */
  holdNext(): Promise<() => void> {
    return new Promise((resolve) => {
      this.held = resolve;
    });
  }

  /** The plain-text part of a message, quoted-printable undone. */
  static text(mail: Omit<ReceivedMail, 'attachments'>): string {
    const unfolded = mail.raw.replace(/=\r?\n/g, '');
    return unfolded.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(
    raw: string,
    session: { envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] } },
    callback: (error?: Error | null) => void,
  ): void {
    const failure = this.failures.shift();
    if (failure) {
      callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
      return;
    }
    const answer = () => {
      this.messages.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        raw,
        messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1] ?? null,
        attachments: mimeAttachments(raw),
      });
      callback(null);
    };
    const hold = this.held;
    this.held = null;
    if (hold) hold(answer);
    else answer();
  }
}
