import { pino, type Logger } from 'pino';
import { logLevels, type LogLevel } from './config.js';

export type { Logger } from 'pino';

/**
 * The server's structured logger. Log lines carry ids (request, record,
 * device), never patient data: no names, birth dates, phone numbers or record
 * bodies. The redaction below is a safety net for mistakes, not the rule.
 */
export function createLogger(level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'sync-server' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'token',
        '*.token',
        'password',
        '*.password',
        'body',
        '*.body',
        'doc',
        '*.doc',
        'documents',
        '*.documents',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The log level for tests: silent unless LOG_LEVEL asks for more, so test
 * output shows failures, not server chatter.
 */
export function testLogLevel(env: Record<string, string | undefined> = process.env): LogLevel {
  const level = logLevels.find((known) => known === env.LOG_LEVEL);
  return level ?? 'silent';
}
