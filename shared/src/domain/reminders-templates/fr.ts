import type { ReminderCatalogue } from './en.js';

export const fr = {
  subject: (clinic: string, when: string) => `Rappel de rendez-vous : ${clinic}, ${when}`,
  greeting: (name: string) => `Bonjour ${name},`,
  appointment: (clinic: string, when: string, provider: string) =>
    `nous vous rappelons votre rendez-vous à ${clinic} le ${when} avec ${provider}.`,
  address: 'Adresse',
  code: (code: string) =>
    `Le jour venu, enregistrez votre arrivée à la borne avec votre code ${code} ou scannez le code QR.`,
  confirmOrCancel: 'Viendrez-vous ? Confirmez ou annulez ici :',
  confirm: 'Confirmer',
  cancel: 'Annuler',
  unsubscribe: 'Ne plus recevoir de rappels par e-mail :',
  sms: (clinic: string, when: string, provider: string, code: string, link: string) =>
    `${clinic} : rendez-vous ${when} avec ${provider}. Code borne ${code}. Confirmer ou annuler : ${link} Répondez STOP pour ne plus recevoir de messages.`,
  almostTurn: (clinic: string, ticket: string) =>
    `${clinic} : ticket ${ticket}, vous êtes le prochain. Revenez en salle d’attente maintenant. Répondez STOP pour ne plus recevoir de messages.`,
  pageTitle: 'Votre rendez-vous',
  pageWhen: 'Quand',
  pageWith: 'Avec',
  confirmed: 'Merci : votre rendez-vous est confirmé.',
  cancelled: 'Votre rendez-vous est annulé. Merci de nous avoir prévenus ; le créneau va à une personne en attente.',
  notChangeable: 'Ce rendez-vous ne peut plus être modifié ici. Veuillez appeler le cabinet.',
  linkInvalid: 'Ce lien n’est plus valable. Veuillez appeler le cabinet.',
  unsubscribed: 'Vous ne recevrez plus de rappels par e-mail.',
  invoiceSubject: (number: string, clinic: string) => `Facture ${number} de ${clinic}`,
  invoiceHello: 'Bonjour,',
  invoiceAttached: (number: string, clinic: string) => `Veuillez trouver ci-joint la facture ${number} de ${clinic}.`,
  invoiceDue: (amount: string) => `Reste à payer : ${amount}.`,
  invoicePaid: 'Cette facture est entièrement réglée ; conservez-la pour vos dossiers.',
  invoiceQuestions: 'Si quelque chose vous semble inexact, veuillez contacter la clinique.',
  yourClinic: 'votre clinique',
} satisfies ReminderCatalogue;
