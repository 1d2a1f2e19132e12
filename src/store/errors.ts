/**
 * @module store/errors — a store that cannot be read as tighten wrote it, or cannot be written now (E_STORE).
 */
import { EXIT, ToolError } from '../shared/errors.js';

/** A corrupt or foreign manifest or segment, a store from a newer tighten, a lock held too long. Names the file. */
export class StoreError extends ToolError {
  readonly code = 'E_STORE';
  readonly exitCode = EXIT.usage;
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
    this.file = file;
  }
}
