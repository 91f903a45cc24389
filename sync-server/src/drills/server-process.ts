/**
 * One sync server instance in its own process, so a drill can SIGKILL it the
 * way a crashed machine or an OOM kill ends one: no shutdown, no goodbyes.
 * Started by `startServerProcess`; it answers its port over IPC once listening.
 */
import { loadConfig } from '#config';
import { createLogger, testLogLevel } from '#logger';
import { startServer } from '#server';

process.on('message', (message: { databaseUrl: string; tokenSecret: string }) => {
  const config = {
    ...loadConfig({}),
    host: '127.0.0.1',
    port: 0,
    databaseUrl: message.databaseUrl,
    tokenSecret: message.tokenSecret,
    demo: false,
    logLevel: testLogLevel(),
  };
  startServer(config, { log: createLogger(config.logLevel) }).then(
    (server) => process.send!({ port: server.port }),
    (error: unknown) => process.send!({ error: String(error) }),
  );
});
