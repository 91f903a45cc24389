import { formatAppointmentTime, reminderCatalogues, type ReminderLanguage, type Site } from '@medisync/shared/domain';
import QRCode from 'qrcode';
import type { EmailMessage } from './channels/channel.js';

/**
 * A reminder in the patient's language from the catalogue
 * (shared/src/domain/reminders-templates): the clinic, the time, the provider,
 * the address, the check-in code (also as a QR code the kiosk scans) and the
 * links. Never the visit type, notes or anything else about why they come.
 */
export interface ReminderContent {
  language: ReminderLanguage;
  clinic: string;
  address: Site['address'];
  start: string;
  timeZone: string;
  provider: string;
  givenName: string;
  code: string;
  manageUrl: string;
  unsubscribeUrl: string;
}

export async function reminderEmail(
  content: ReminderContent,
): Promise<Pick<EmailMessage, 'subject' | 'text' | 'html' | 'inline' | 'unsubscribeUrl'>> {
  const t = reminderCatalogues[content.language];
  const when = formatAppointmentTime(content.start, content.timeZone, content.language);
  const address = addressLines(content.address);
  const text = [
    t.greeting(content.givenName),
    '',
    t.appointment(content.clinic, when, content.provider),
    ...(address.length > 0 ? ['', `${t.address}:`, ...address] : []),
    '',
    t.code(content.code),
    '',
    t.confirmOrCancel,
    content.manageUrl,
    '',
    t.unsubscribe,
    content.unsubscribeUrl,
  ].join('\n');
  const html = `<!doctype html><html lang="${content.language}"><body style="font-family:sans-serif;line-height:1.5">
<p>${escape(t.greeting(content.givenName))}</p>
<p>${escape(t.appointment(content.clinic, when, content.provider))}</p>
${address.length > 0 ? `<p><strong>${escape(t.address)}</strong><br>${address.map(escape).join('<br>')}</p>` : ''}
<p>${escape(t.code(content.code))}</p>
<p style="font-size:1.5em;letter-spacing:0.1em"><strong>${escape(content.code)}</strong></p>
<p><img src="cid:checkin-qr" alt="${escape(content.code)}" width="180" height="180"></p>
<p>${escape(t.confirmOrCancel)} <a href="${escape(content.manageUrl)}">${escape(t.confirm)} / ${escape(t.cancel)}</a></p>
<p style="color:#555;font-size:0.9em">${escape(t.unsubscribe)} <a href="${escape(content.unsubscribeUrl)}">${escape(content.unsubscribeUrl)}</a></p>
</body></html>`;
  // The QR code holds the check-in code only, so the kiosk reads exactly what the patient could type.
  const qr = await QRCode.toBuffer(content.code, { type: 'png', margin: 2, width: 360, errorCorrectionLevel: 'M' });
  return {
    subject: t.subject(content.clinic, when),
    unsubscribeUrl: content.unsubscribeUrl,
    text,
    html,
    inline: [{ cid: 'checkin-qr', filename: 'check-in-code.png', contentType: 'image/png', content: qr }],
  };
}

export function reminderSms(content: ReminderContent): string {
  const t = reminderCatalogues[content.language];
  const when = formatAppointmentTime(content.start, content.timeZone, content.language);
  return t.sms(content.clinic, when, content.provider, content.code, content.manageUrl);
}

function addressLines(address: Site['address']): string[] {
  if (!address) return [];
  const city = [address.postalCode, address.city, address.region].filter(Boolean).join(' ');
  return [address.line1, address.line2, city].filter((line): line is string => Boolean(line));
}

export function escape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
