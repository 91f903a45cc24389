import type { ReminderCatalogue } from './en.js';

export const zh = {
  subject: (clinic: string, when: string) => `预约提醒：${clinic}，${when}`,
  greeting: (name: string) => `${name}，您好：`,
  appointment: (clinic: string, when: string, provider: string) => `提醒您在 ${clinic} 的预约：${when}，${provider}。`,
  address: '地址',
  code: (code: string) => `预约当天，请在自助机输入代码 ${code} 或扫描二维码签到。`,
  confirmOrCancel: '您会来吗？请确认或取消：',
  confirm: '确认',
  cancel: '取消',
  unsubscribe: '不再接收电子邮件提醒：',
  sms: (clinic: string, when: string, provider: string, code: string, link: string) =>
    `${clinic}：预约 ${when}，${provider}。自助机代码 ${code}。确认或取消：${link} 回复 STOP 退订。`,
  almostTurn: (clinic: string, ticket: string) =>
    `${clinic}：${ticket} 号，下一位就是您。请现在回到候诊区。回复 STOP 退订。`,
  pageTitle: '您的预约',
  pageWhen: '时间',
  pageWith: '医生',
  confirmed: '谢谢：您的预约已确认。',
  cancelled: '您的预约已取消。感谢告知，这个时段将留给正在等候的人。',
  notChangeable: '此预约已无法在此更改。请致电诊所。',
  linkInvalid: '此链接已失效。请致电诊所。',
  unsubscribed: '您将不再收到电子邮件提醒。',
  invoiceSubject: (number: string, clinic: string) => `${clinic} 的发票 ${number}`,
  invoiceHello: '您好：',
  invoiceAttached: (number: string, clinic: string) => `附件是 ${clinic} 的发票 ${number}。`,
  invoiceDue: (amount: string) => `应付余额：${amount}。`,
  invoicePaid: '此发票已全额付清，请保留以备查。',
  invoiceQuestions: '如发现任何不符之处，请联系诊所。',
  yourClinic: '您的诊所',
} satisfies ReminderCatalogue;
