import type { ReminderCatalogue } from './en.js';

export const de = {
  subject: (clinic: string, when: string) => `Terminerinnerung: ${clinic}, ${when}`,
  greeting: (name: string) => `Guten Tag ${name},`,
  appointment: (clinic: string, when: string, provider: string) =>
    `wir erinnern Sie an Ihren Termin in der ${clinic} am ${when} bei ${provider}.`,
  address: 'Adresse',
  code: (code: string) => `Am Termintag checken Sie am Kiosk mit Ihrem Code ${code} ein oder scannen den QR-Code.`,
  confirmOrCancel: 'Kommen Sie? Bitte bestätigen oder absagen:',
  confirm: 'Bestätigen',
  cancel: 'Absagen',
  unsubscribe: 'Keine Erinnerungen mehr per E-Mail:',
  sms: (clinic: string, when: string, provider: string, code: string, link: string) =>
    `${clinic}: Termin ${when} bei ${provider}. Kiosk-Code ${code}. Bestätigen oder absagen: ${link} Antworten Sie STOP, um keine Nachrichten mehr zu erhalten.`,
  almostTurn: (clinic: string, ticket: string) =>
    `${clinic}: Nummer ${ticket}, Sie sind als Nächstes dran. Bitte kommen Sie jetzt in den Wartebereich. Antworten Sie STOP, um keine Nachrichten mehr zu erhalten.`,
  pageTitle: 'Ihr Termin',
  pageWhen: 'Wann',
  pageWith: 'Bei',
  confirmed: 'Danke: Ihr Termin ist bestätigt.',
  cancelled: 'Ihr Termin ist abgesagt. Danke für die Nachricht; die Zeit geht an jemanden auf der Warteliste.',
  notChangeable: 'Dieser Termin kann hier nicht mehr geändert werden. Bitte rufen Sie die Praxis an.',
  linkInvalid: 'Dieser Link ist nicht mehr gültig. Bitte rufen Sie die Praxis an.',
  unsubscribed: 'Sie erhalten keine Erinnerungen per E-Mail mehr.',
  invoiceSubject: (number: string, clinic: string) => `Rechnung ${number} von ${clinic}`,
  invoiceHello: 'Guten Tag,',
  invoiceAttached: (number: string, clinic: string) => `anbei erhalten Sie die Rechnung ${number} von ${clinic}.`,
  invoiceDue: (amount: string) => `Offener Betrag: ${amount}.`,
  invoicePaid: 'Diese Rechnung ist vollständig bezahlt; bitte bewahren Sie sie für Ihre Unterlagen auf.',
  invoiceQuestions: 'Wenn Ihnen etwas daran nicht stimmt, wenden Sie sich bitte an die Praxis.',
  yourClinic: 'Ihre Praxis',
} satisfies ReminderCatalogue;
