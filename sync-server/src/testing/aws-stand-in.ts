import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mimeAttachments, type MailAttachment } from './smtp-stand-in.js';

export interface SesEmail {
  /** The raw MIME message, as SESv2's SendEmail carries it. */
  raw: string;
  to: string[];
  /** Its parts sent as attachments, decoded. */
  attachments: MailAttachment[];
}

export interface SnsSms {
  phoneNumber: string;
  message: string;
  smsType: string | null;
}

/**
 * A local HTTP server that speaks the two AWS APIs reminders and emailed
 * invoices use, for the real AWS SDK pointed at it (`endpoint`): SESv2's
 * `SendEmail` (REST JSON, `POST /v2/email/outbound-emails`) and SNS's
 * `Publish` to a phone number (the query protocol, an XML answer). Signatures are not checked; the SDK signs
 * with the credentials the test gives it. It can answer the next requests
 * with a throttling error.
 */
export class AwsStandIn {
  readonly emails: SesEmail[] = [];
  readonly sms: SnsSms[] = [];
  private throttled = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static readonly credentials = { accessKeyId: 'AKIASTANDIN000000000', secretAccessKey: 'stand-in-secret' };

  static async start(): Promise<AwsStandIn> {
    // The handlers run only once the stand-in exists: the server answers nothing before it listens.
    const ref: { standIn?: AwsStandIn } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => ref.standIn!.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const standIn = new AwsStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    ref.standIn = standIn;
    return standIn;
  }

  /** The next `count` requests are answered 400 ThrottlingException, which the SDK and the scheduler retry. */
  throttleNext(count: number): void {
    this.throttled += count;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails')) {
      if (this.throttled > 0) {
        this.throttled--;
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
        res.end(JSON.stringify({ message: 'Too many requests' }));
        return;
      }
      const input = JSON.parse(body) as {
        Content?: { Raw?: { Data?: string } };
        Destination?: { ToAddresses?: string[] };
      };
      const raw = Buffer.from(input.Content?.Raw?.Data ?? '', 'base64').toString('utf8');
      this.emails.push({ raw, to: input.Destination?.ToAddresses ?? [], attachments: mimeAttachments(raw) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ MessageId: `ses-${randomUUID()}` }));
      return;
    }
    if (req.method === 'POST' && (req.url === '/' || req.url === '')) {
      const form = new URLSearchParams(body);
      if (form.get('Action') === 'Publish') {
        if (this.throttled > 0) {
          this.throttled--;
          res.writeHead(400, { 'content-type': 'text/xml' });
          res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
          );
          return;
        }
        const attributes = new Map<string, string>();
        for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
          attributes.set(
            form.get(`MessageAttributes.entry.${i}.Name`)!,
            form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '',
          );
        }
        this.sms.push({
          phoneNumber: form.get('PhoneNumber') ?? '',
          message: form.get('Message') ?? '',
          smsType: attributes.get('AWS.SNS.SMS.SMSType') ?? null,
        });
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
        );
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `the stand-in does not speak ${req.method} ${req.url}` }));
  }
}
