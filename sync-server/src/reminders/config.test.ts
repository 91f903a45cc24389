import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#config';

describe('reminder configuration', () => {
  it('sends nothing unless channels are chosen', () => {
    const { reminders } = loadConfig({});
    expect(reminders).toMatchObject({ email: null, sms: null, publicUrl: undefined });
    expect(reminders.timing).toMatchObject({
      pollMs: 30_000,
      retryBaseMs: 60_000,
      retryMaxMs: 3_600_000,
      maxAttempts: 6,
    });
  });

  it('takes SMTP or SES for email and SNS or Twilio for SMS', () => {
    expect(
      loadConfig({
        REMINDER_EMAIL: 'smtp',
        SMTP_URL: 'smtp://relay:secret@mail.example.org:587',
        REMINDER_EMAIL_FROM: 'reminders@clinic.example',
        REMINDER_SMS: 'sns',
        AWS_REGION: 'eu-west-1',
        PUBLIC_URL: 'https://clinic.example/',
      }).reminders,
    ).toMatchObject({
      email: { kind: 'smtp', url: 'smtp://relay:secret@mail.example.org:587', from: 'reminders@clinic.example' },
      sms: { kind: 'sns', region: 'eu-west-1', endpoint: undefined },
      publicUrl: 'https://clinic.example',
    });
    expect(
      loadConfig({
        REMINDER_EMAIL: 'ses',
        REMINDER_EMAIL_FROM: 'reminders@clinic.example',
        REMINDER_SMS: 'twilio',
        TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'twilio-auth-token-0123456789',
        TWILIO_FROM: '+15550100',
        REMINDER_RETRY_BASE: '30s',
      }).reminders,
    ).toMatchObject({
      email: { kind: 'ses', region: 'us-east-1', from: 'reminders@clinic.example' },
      sms: { kind: 'twilio', from: '+15550100' },
      timing: { retryBaseMs: 30_000 },
    });
  });

  it('names what a chosen channel is missing, and never echoes a secret', () => {
    expect(() => loadConfig({ REMINDER_EMAIL: 'smtp', REMINDER_EMAIL_FROM: 'r@clinic.example' })).toThrow(
      'REMINDER_EMAIL=smtp needs SMTP_URL',
    );
    expect(() => loadConfig({ REMINDER_EMAIL: 'ses' })).toThrow('REMINDER_EMAIL=ses needs REMINDER_EMAIL_FROM');
    expect(() => loadConfig({ REMINDER_SMS: 'twilio', TWILIO_FROM: '+15550100' })).toThrow(
      'REMINDER_SMS=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM',
    );
    expect(() => loadConfig({ REMINDER_SMS: 'pigeon' })).toThrow('REMINDER_SMS expected none, sns or twilio');
    const secret = 'short';
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: secret })).toThrow(ConfigError);
    try {
      loadConfig({ TWILIO_AUTH_TOKEN: secret });
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
    expect(() => loadConfig({ SMTP_URL: 'http://user:hunter2@mail' })).toThrow(/^(?!.*hunter2).*SMTP_URL/);
  });
});
