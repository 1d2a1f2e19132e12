/**
 * @module gitops/errors — a state file that cannot be read as tighten wrote it (E_GITOPS_STATE), and a repository
 * another tighten run is writing (E_GITOPS_LOCKED).
 */
import { EXIT, ToolError } from '../shared/errors.js';

/** `tighten.state.yaml` is corrupt, from a newer tighten, or names something that cannot be a path. Names the file (and line). */
export class GitopsStateError extends ToolError {
  readonly code = 'E_GITOPS_STATE';
  readonly exitCode = EXIT.usage;
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, file?: string, options?: ErrorOptions, line?: number) {
    super(message, options);
    this.name = 'GitopsStateError';
    this.file = file;
    this.line = line;
  }
}

/** `tighten.state.lock` is held by another run (named in the message): two runs must not interleave. */
export class GitopsLockError extends ToolError {
  readonly code = 'E_GITOPS_LOCKED';
  readonly exitCode = EXIT.usage;
  readonly file: string;
  constructor(message: string, file: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GitopsLockError';
    this.file = file;
  }
}
