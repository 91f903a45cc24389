import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import type { SmsSettings } from '../config.js';
import { PermanentSendError, type SmsChannel, type SmsMessage } from './channel.js';

const TWILIO_API = 'https://api.twilio.com';

/** SMS through Amazon SNS (a direct publish to a phone number) or Twilio's Messages API. */
export function smsChannel(
  settings: SmsSettings,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): SmsChannel {
  return settings.kind === 'sns' ? snsChannel(settings, credentials) : twilioChannel(settings);
}

function snsChannel(
  settings: Extract<SmsSettings, { kind: 'sns' }>,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): SmsChannel {
  const client = new SNSClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  return {
    provider: 'sns',
    async send(message: SmsMessage) {
      try {
        const answer = await client.send(
          new PublishCommand({
            PhoneNumber: message.to,
            Message: message.body,
            // Reminders are transactional: carriers deliver them ahead of marketing and in quiet areas too.
            MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
          }),
        );
        return { providerMessageId: answer.MessageId ?? message.id };
      } catch (error) {
        const e = error as { $metadata?: { httpStatusCode?: number }; name?: string; message?: string };
        const status = e.$metadata?.httpStatusCode ?? 0;
        const text = `${e.name ?? 'Error'}: ${String(e.message ?? error)}`.slice(0, 500);
        throw status >= 400 && status < 500 && status !== 429 ? new PermanentSendError(text) : new Error(text);
      }
    },
    async close() {
      client.destroy();
    },
  };
}

function twilioChannel(settings: Extract<SmsSettings, { kind: 'twilio' }>): SmsChannel {
  const client = twilio(settings.accountSid, settings.authToken, {
    ...(settings.apiUrl ? { httpClient: new RebasedRequestClient(settings.apiUrl) } : {}),
  });
  return {
    provider: 'twilio',
    async send(message: SmsMessage) {
      try {
        const sent = await client.messages.create({ to: message.to, from: settings.from, body: message.body });
        return { providerMessageId: sent.sid };
      } catch (error) {
        const e = error as { status?: number; message?: string };
        const text = String(e.message ?? error).slice(0, 500);
        const status = e.status ?? 0;
        throw status >= 400 && status < 500 && status !== 429 ? new PermanentSendError(text) : new Error(text);
      }
    },
    async close() {},
  };
}

/** Twilio's own HTTP client, sending to another base URL: a local stand-in that speaks Twilio's API. */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }

  override request<TData>(opts: TwilioRequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API)
      ? this.baseUrl.replace(/\/$/, '') + opts.uri.slice(TWILIO_API.length)
      : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}
