import { ConfigError, loadConfig, type Config } from '#config';
import { EmbeddedPostgresError } from '#embedded-postgres';
import { createLogger } from '#logger';
import { startServer, type RunningServer } from '#server';

/**
 * `npm start -w sync-server`: reads the environment, starts the server and
 * shuts it down in order on SIGINT or SIGTERM. A second signal exits at once.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : `could not read the configuration: ${String(error)}`);
  }
  const log = createLogger(config.logLevel);

  let server: RunningServer;
  try {
    server = await startServer(config, { log, handlesSignals: true });
  } catch (error) {
    // A place the embedded PostgreSQL cannot use: one line saying what to change, nothing more.
    if (error instanceof EmbeddedPostgresError) fail(`MediSync sync server could not start: ${error.message}`);
    log.fatal({ err: error instanceof Error ? error.message : String(error) }, 'the sync server could not start');
    fail(`MediSync sync server could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  log.info(
    { url: server.url, embeddedDatabase: config.databaseUrl === undefined, demo: config.demo },
    'MediSync sync server ready',
  );

  // The log is written asynchronously; exiting waits for it, or its last lines could land out of order or not at all.
  const exit = (code: number) => log.flush(() => process.exit(code));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => {
        log.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        log.error({ err: String(error) }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

await main();
