/**
 * @module test-support/io — an in-memory Io for running commands in tests.
 */
import { PassThrough, Readable } from 'node:stream';
import type { Io } from '../cli/io.js';

export interface CapturedIo extends Io {
  out(): string;
  err(): string;
}

export function captureIo(stdinText = '', cwd = process.cwd()): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => outChunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  return {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from(stdinText)]),
    env: {},
    stderrIsTTY: false,
    cwd,
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}
