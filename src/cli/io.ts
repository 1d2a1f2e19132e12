/**
 * @module cli/io — what a command may touch of the process: its streams and environment.
 * Commands take an Io so tests can run them in-process.
 */
import { PassThrough, Readable } from 'node:stream';

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

/** An Io that keeps what a command writes (to run a command in-process and read its output); stdin is empty. */
export function bufferIo(cwd: string): Io & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  return { stdout, stderr, stdin: Readable.from([]), env: {}, stderrIsTTY: false, cwd, out: () => Buffer.concat(out).toString('utf8'), err: () => Buffer.concat(err).toString('utf8') };
}
