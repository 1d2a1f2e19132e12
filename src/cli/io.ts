/**
 * @module cli/io — what a command may touch of the process: its streams and environment.
 * Commands take an Io so tests can run them in-process.
 */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal (progress is drawn in place then). */
  readonly stderrIsTTY: boolean;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}
