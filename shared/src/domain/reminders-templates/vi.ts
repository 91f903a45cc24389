import type { ReminderCatalogue } from './en.js';

export const vi = {
  subject: (clinic: string, when: string) => `Nhắc lịch hẹn: ${clinic}, ${when}`,
  greeting: (name: string) => `Xin chào ${name},`,
  appointment: (clinic: string, when: string, provider: string) =>
    `chúng tôi xin nhắc lịch hẹn của bạn tại ${clinic} vào ${when} với ${provider}.`,
  address: 'Địa chỉ',
  code: (code: string) => `Vào ngày hẹn, hãy làm thủ tục tại máy kiosk bằng mã ${code} hoặc quét mã QR.`,
  confirmOrCancel: 'Bạn sẽ đến chứ? Vui lòng xác nhận hoặc hủy:',
  confirm: 'Xác nhận',
  cancel: 'Hủy',
  unsubscribe: 'Không nhận nhắc hẹn qua email nữa:',
  sms: (clinic: string, when: string, provider: string, code: string, link: string) =>
    `${clinic}: lịch hẹn ${when} với ${provider}. Mã kiosk ${code}. Xác nhận hoặc hủy: ${link} Trả lời STOP để ngừng nhận tin.`,
  almostTurn: (clinic: string, ticket: string) =>
    `${clinic}: số ${ticket}, sắp đến lượt bạn. Vui lòng quay lại phòng chờ ngay. Trả lời STOP để ngừng nhận tin.`,
  pageTitle: 'Lịch hẹn của bạn',
  pageWhen: 'Thời gian',
  pageWith: 'Với',
  confirmed: 'Cảm ơn bạn: lịch hẹn đã được xác nhận.',
  cancelled: 'Lịch hẹn của bạn đã được hủy. Cảm ơn bạn đã báo; giờ hẹn sẽ dành cho người đang chờ.',
  notChangeable: 'Không thể thay đổi lịch hẹn này ở đây nữa. Vui lòng gọi phòng khám.',
  linkInvalid: 'Liên kết này không còn hiệu lực. Vui lòng gọi phòng khám.',
  unsubscribed: 'Bạn sẽ không nhận nhắc hẹn qua email nữa.',
  invoiceSubject: (number: string, clinic: string) => `Hóa đơn ${number} từ ${clinic}`,
  invoiceHello: 'Xin chào,',
  invoiceAttached: (number: string, clinic: string) => `Đính kèm là hóa đơn ${number} từ ${clinic}.`,
  invoiceDue: (amount: string) => `Số tiền còn phải trả: ${amount}.`,
  invoicePaid: 'Hóa đơn này đã được thanh toán đầy đủ; vui lòng giữ lại để lưu hồ sơ.',
  invoiceQuestions: 'Nếu có điều gì không đúng, vui lòng liên hệ phòng khám.',
  yourClinic: 'phòng khám của bạn',
} satisfies ReminderCatalogue;
