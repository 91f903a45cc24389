import { z } from 'zod';
import { KIOSK_IDLE_SECONDS, type AppName, type ShellConfig } from '../../common/api.js';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:4000' })
  .transform((url) => new URL(url).origin);

/** Printer names are short (CUPS allows 127 characters); anything past this bound is a mistake. */
const MAX_PRINTER_NAME_LENGTH = 256;

const envSchema = z.object({
  MEDISYNC_SERVER_URL: httpUrl.default('http://127.0.0.1:4000'),
  MEDISYNC_KIOSK_SCREEN: z.enum(['check-in', 'display']).default('check-in'),
  MEDISYNC_KIOSK_IDLE_SECONDS: z.coerce
    .number()
    .int()
    .min(KIOSK_IDLE_SECONDS.min)
    .max(KIOSK_IDLE_SECONDS.max)
    .default(KIOSK_IDLE_SECONDS.default),
  /** The OS device name of the kiosk's ticket printer; unset or empty means no printing from the shell. */
  MEDISYNC_TICKET_PRINTER: z
    .string()
    .trim()
    .max(MAX_PRINTER_NAME_LENGTH, `expected a printer name of at most ${MAX_PRINTER_NAME_LENGTH} characters`)
    .regex(/^\P{Cc}*$/u, 'expected a printer name without control characters')
    .transform((name) => name || null)
    .default(null),
  /** "1" opens developer tools; never on in a packaged build. */
  MEDISYNC_DEVTOOLS: z.enum(['0', '1']).default('0'),
});

export interface MainConfig {
  shell: ShellConfig;
  devTools: boolean;
}

/** Reads the shell's configuration from the environment and fails fast, naming the bad variable. */
export function loadMainConfig(app: AppName, env: Record<string, string | undefined>, packaged: boolean): MainConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid MediSync configuration: ${problems}`);
  }
  return {
    shell: {
      app,
      serverUrl: parsed.data.MEDISYNC_SERVER_URL,
      kioskScreen: app === 'kiosk' ? parsed.data.MEDISYNC_KIOSK_SCREEN : null,
      kioskIdleSeconds: parsed.data.MEDISYNC_KIOSK_IDLE_SECONDS,
      ticketPrinter: app === 'kiosk' ? parsed.data.MEDISYNC_TICKET_PRINTER : null,
    },
    devTools: !packaged && parsed.data.MEDISYNC_DEVTOOLS === '1',
  };
}
