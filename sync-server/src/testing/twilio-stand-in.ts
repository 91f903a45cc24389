import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface TwilioSms {
  accountSid: string;
  to: string;
  from: string;
  body: string;
  /** Whether the request carried the account's Basic credentials. */
  authorized: boolean;
}

/**
 * A local HTTP server that speaks Twilio's Messages API
 * (`POST /2010-04-01/Accounts/{sid}/Messages.json`, a form body, a JSON
 * answer) for the real Twilio SDK, whose HTTP client is pointed at it.
 */
export class TwilioStandIn {
  readonly sms: TwilioSms[] = [];
  static readonly accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  static readonly authToken = 'stand-in-auth-token-0123456789';

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TwilioStandIn> {
    // The handlers run only once the stand-in exists: the server answers nothing before it listens.
    const ref: { standIn?: TwilioStandIn } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => ref.standIn!.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const standIn = new TwilioStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    ref.standIn = standIn;
    return standIn;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || match === null) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
      return;
    }
    const expected = `Basic ${Buffer.from(`${TwilioStandIn.accountSid}:${TwilioStandIn.authToken}`).toString('base64')}`;
    const form = new URLSearchParams(body);
    const sms = {
      accountSid: match[1]!,
      to: form.get('To') ?? '',
      from: form.get('From') ?? '',
      body: form.get('Body') ?? '',
      authorized: req.headers.authorization === expected,
    };
    if (!sms.authorized) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
      return;
    }
    this.sms.push(sms);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sid,
        account_sid: sms.accountSid,
        to: sms.to,
        from: sms.from,
        body: sms.body,
        status: 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${sms.accountSid}/Messages/${sid}.json`,
      }),
    );
  }
}
