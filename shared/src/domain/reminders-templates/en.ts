/**
 * The English reminder templates; their shape is the contract every other
 * language fills in (`satisfies ReminderCatalogue`), as the kiosk's catalogue
 * does, so a missing string fails the build. Messages name the clinic, the
 * time and the provider, never a diagnosis or the reason for the visit.
 */
export const en = {
  subject: (clinic: string, when: string) => `Appointment reminder: ${clinic}, ${when}`,
  greeting: (name: string) => `Hello ${name},`,
  appointment: (clinic: string, when: string, provider: string) =>
    `this is a reminder of your appointment at ${clinic} on ${when} with ${provider}.`,
  address: 'Address',
  code: (code: string) => `On the day, check in at the kiosk with your code ${code}, or scan the QR code.`,
  confirmOrCancel: 'Will you come? Please confirm or cancel:',
  confirm: 'Confirm',
  cancel: 'Cancel',
  unsubscribe: 'No more reminders by email:',
  sms: (clinic: string, when: string, provider: string, code: string, link: string) =>
    `${clinic}: appointment ${when} with ${provider}. Kiosk code ${code}. Confirm or cancel: ${link} Reply STOP to opt out.`,
  almostTurn: (clinic: string, ticket: string) =>
    `${clinic}: ticket ${ticket}, you are next in line. Please come back to the waiting room now. Reply STOP to opt out.`,
  pageTitle: 'Your appointment',
  pageWhen: 'When',
  pageWith: 'With',
  confirmed: 'Thank you: your appointment is confirmed.',
  cancelled: 'Your appointment is cancelled. Thank you for telling us; the time goes to someone who is waiting.',
  notChangeable: 'This appointment can no longer be changed here. Please call the clinic.',
  linkInvalid: 'This link is not valid any more. Please call the clinic.',
  unsubscribed: 'You will receive no more reminders by email.',
  // The email that carries an invoice's PDF (billing): it too names no patient and no visit.
  invoiceSubject: (number: string, clinic: string) => `Invoice ${number} from ${clinic}`,
  invoiceHello: 'Hello,',
  invoiceAttached: (number: string, clinic: string) => `Attached is invoice ${number} from ${clinic}.`,
  invoiceDue: (amount: string) => `Balance due: ${amount}.`,
  invoicePaid: 'This invoice is paid in full; keep it for your records.',
  invoiceQuestions: 'If anything on it looks wrong, please contact the clinic.',
  // The invoice PDF (billing): written in Noto Sans; a language the font cannot write prints in English.
  invoicePdf: {
    title: 'INVOICE',
    clinic: 'Clinic',
    number: (number: string) => `Invoice ${number}`,
    status: { draft: 'Draft', open: 'Open', paid: 'Paid', void: 'Void', refunded: 'Refunded' },
    statusLine: (status: string) => `Status: ${status}`,
    printed: (date: string) => `Printed ${date}`,
    billTo: 'Bill to',
    patient: 'Patient',
    mrnPending: 'MRN pending',
    visit: (date: string, provider: string | null) => `Visit on ${date}${provider ? ` with ${provider}` : ''}`,
    insurance: (payer: string, member: string, group: string | null) =>
      `Insurance: ${payer}, member ${member}${group ? `, group ${group}` : ''}`,
    description: 'Description',
    amount: 'Amount',
    total: 'Total',
    paid: 'Paid',
    refunded: 'Refunded',
    balanceDue: 'Balance due',
    cards: 'Card payments are processed by Stripe; this clinic never stores card details.',
  },
  yourClinic: 'your clinic',
};

export type ReminderCatalogue = typeof en;
