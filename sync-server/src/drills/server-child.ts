import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_PROCESS = fileURLToPath(new URL('./server-process.ts', import.meta.url));

export interface ServerChild {
  port: number;
  process: ChildProcess;
  /** Ends it at once, as a crash would (SIGKILL), and waits until it is gone. */
  kill(): Promise<void>;
}

/** A sync server instance in a child process, on the given database, listening on 127.0.0.1 on a free port. */
export async function startServerProcess(databaseUrl: string, tokenSecret: string): Promise<ServerChild> {
  const child = fork(SERVER_PROCESS, [], {
    execArgv: ['--conditions=@medisync/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }) =>
      m.port !== undefined ? resolve(m.port) : reject(new Error(m.error)),
    );
    void exited.then(() => reject(new Error('the server process exited before it listened')));
    child.send({ databaseUrl, tokenSecret });
  });
  return {
    port,
    process: child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
