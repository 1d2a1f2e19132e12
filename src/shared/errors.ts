/**
 * @module shared/errors — one error base class; the exit code is part of the type.
 *
 * Expected outcomes (would-drop flows, failed gates) are results, not exceptions. Exceptions are for
 * bad input, illegal transitions and bugs; `cli/index.ts` turns them into exit codes in one place.
 */

/** Exit codes of every command: 0 ok, 1 findings, 2 usage or input error, 3 internal error. */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export abstract class ToolError extends Error {
  abstract readonly code: `E_${Uppercase<string>}`;
  abstract readonly exitCode: ExitCode;
}

/** Bad input: a file that cannot be read or decoded, a wrong option. Names the file (and line) it is about. */
export class InputError extends ToolError {
  readonly code = 'E_INPUT';
  readonly exitCode = EXIT.usage;
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, where?: { file?: string; line?: number }, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputError';
    this.file = where?.file;
    this.line = where?.line;
  }
}

/**
 * A policy (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, NetworkPolicy) that Cilium or Kubernetes would
 * reject, or that cannot be decoded into one. Names the file (and line) and the object it is about.
 */
export class PolicyError extends ToolError {
  readonly code = 'E_POLICY_INVALID';
  readonly exitCode = EXIT.usage;
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, where?: { file?: string; line?: number }, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PolicyError';
    this.file = where?.file;
    this.line = where?.line;
  }
}

/** A command-line usage error: unknown option, missing argument. */
export class UsageError extends ToolError {
  readonly code = 'E_USAGE';
  readonly exitCode = EXIT.usage;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A bug: an invariant of tighten itself does not hold. */
export class InternalError extends ToolError {
  readonly code = 'E_INTERNAL';
  readonly exitCode = EXIT.internal;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** Formats "file:line: message" the way compilers do, leaving out what is unknown. */
export function formatLocation(file: string | undefined, line: number | undefined): string {
  if (file === undefined) return line === undefined ? '' : `line ${line}`;
  return line === undefined ? file : `${file}:${line}`;
}

/** Exhaustiveness check for switches over unions. */
export function assertNever(value: never): never {
  throw new InternalError(`unexpected value ${JSON.stringify(value)}`);
}

/**
 * A rollout transition the state machine does not allow (observe → enforce, promoting past enforce, rolling back
 * from observe). A gate that is not met is a result, not this error.
 */
export class TransitionError extends ToolError {
  readonly code = 'E_TRANSITION';
  readonly exitCode = EXIT.usage;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransitionError';
  }
}
