import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import type { EmailSettings } from '../config.js';
import { PermanentSendError, type EmailChannel, type EmailFile, type EmailMessage } from './channel.js';

/**
 * Email through nodemailer, over SMTP or Amazon SES (SESv2, whose raw-message
 * call carries the same MIME message, QR image and attached files included).
 * Credentials for SES come from the AWS SDK's default chain unless
 * `credentials` is given (tests).
 */
export function emailChannel(
  settings: EmailSettings,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): EmailChannel {
  const transport =
    settings.kind === 'smtp'
      ? nodemailer.createTransport(settings.url)
      : nodemailer.createTransport({
          SES: {
            sesClient: new SESv2Client({
              region: settings.region,
              ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
              ...(credentials ? { credentials } : {}),
            }),
            SendEmailCommand,
          },
        });
  return {
    provider: settings.kind,
    async send(message: EmailMessage) {
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.id}@medisync>`,
          ...(message.unsubscribeUrl
            ? {
                list: { unsubscribe: message.unsubscribeUrl },
                headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
              }
            : {}),
          attachments: [
            ...(message.inline ?? []).map((image) => ({ ...file(image), cid: image.cid })),
            ...(message.attachments ?? []).map((attachment) => ({
              ...file(attachment),
              contentDisposition: 'attachment' as const,
            })),
          ],
        });
        return { providerMessageId: String(info.messageId ?? message.id) };
      } catch (error) {
        throw classify(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

function file(f: EmailFile) {
  return { filename: f.filename, contentType: f.contentType, content: f.content };
}

/** SMTP 5xx answers and SES's 4xx refusals are final; the rest is worth another try. */
function classify(error: unknown): Error {
  const e = error as { responseCode?: number; $metadata?: { httpStatusCode?: number }; message?: string };
  const status = e.responseCode ?? e.$metadata?.httpStatusCode;
  const smtpFinal = e.responseCode !== undefined && e.responseCode >= 500;
  const httpFinal = e.$metadata?.httpStatusCode !== undefined && status! >= 400 && status! < 500 && status !== 429;
  const message = String(e.message ?? error).slice(0, 500);
  return smtpFinal || httpFinal ? new PermanentSendError(message) : new Error(message);
}
