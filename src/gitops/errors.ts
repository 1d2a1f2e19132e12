/**
 * @module gitops/errors — a state file that cannot be read as tighten wrote it (E_GITOPS_STATE).
 */
import { EXIT, ToolError } from '../shared/errors.js';

/** `tighten.state.yaml` is corrupt, from a newer tighten, or names something that cannot be a path. Names the file. */
export class GitopsStateError extends ToolError {
  readonly code = 'E_GITOPS_STATE';
  readonly exitCode = EXIT.usage;
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GitopsStateError';
    this.file = file;
  }
}
