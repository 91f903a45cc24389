import type { ReminderCatalogue } from './en.js';

export const es = {
  subject: (clinic: string, when: string) => `Recordatorio de cita: ${clinic}, ${when}`,
  greeting: (name: string) => `Hola, ${name}:`,
  appointment: (clinic: string, when: string, provider: string) =>
    `le recordamos su cita en ${clinic} el ${when} con ${provider}.`,
  address: 'Dirección',
  code: (code: string) => `Ese día, registre su llegada en el quiosco con su código ${code} o escanee el código QR.`,
  confirmOrCancel: '¿Vendrá? Confirme o cancele aquí:',
  confirm: 'Confirmar',
  cancel: 'Cancelar',
  unsubscribe: 'No recibir más recordatorios por correo:',
  sms: (clinic: string, when: string, provider: string, code: string, link: string) =>
    `${clinic}: cita ${when} con ${provider}. Código para el quiosco ${code}. Confirmar o cancelar: ${link} Responda STOP para no recibir más.`,
  almostTurn: (clinic: string, ticket: string) =>
    `${clinic}: turno ${ticket}, es el siguiente. Vuelva a la sala de espera ahora. Responda STOP para no recibir más.`,
  pageTitle: 'Su cita',
  pageWhen: 'Cuándo',
  pageWith: 'Con',
  confirmed: 'Gracias: su cita está confirmada.',
  cancelled: 'Su cita está cancelada. Gracias por avisarnos; el horario pasa a alguien que espera.',
  notChangeable: 'Esta cita ya no se puede cambiar aquí. Llame a la clínica.',
  linkInvalid: 'Este enlace ya no es válido. Llame a la clínica.',
  unsubscribed: 'No recibirá más recordatorios por correo.',
  invoiceSubject: (number: string, clinic: string) => `Factura ${number} de ${clinic}`,
  invoiceHello: 'Hola:',
  invoiceAttached: (number: string, clinic: string) => `Adjuntamos la factura ${number} de ${clinic}.`,
  invoiceDue: (amount: string) => `Saldo pendiente: ${amount}.`,
  invoicePaid: 'Esta factura está pagada en su totalidad; consérvela para sus registros.',
  invoiceQuestions: 'Si algo en ella no parece correcto, comuníquese con la clínica.',
  yourClinic: 'su clínica',
} satisfies ReminderCatalogue;
