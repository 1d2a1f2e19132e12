/**
 * @module config/read — reads `tighten.yaml` from the repository directory (shell: touches the disk).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../shared/errors.js';
import { CONFIG_FILE_NAME, DEFAULT_CONFIG, type TightenConfig } from './config.js';
import { decodeConfig } from './decode.js';

/**
 * Reads `<dir>/tighten.yaml` (`--repo DIR`, else the current directory). A missing file gives
 * {@link DEFAULT_CONFIG}; an unreadable or invalid one throws.
 * @throws InputError naming the file (and line) when it cannot be read or decoded
 */
export async function readConfig(dir: string): Promise<TightenConfig> {
  const file = join(dir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new InputError(`${file}: cannot read the configuration: ${why}`, { file }, { cause });
  }
  return decodeConfig(text, file);
}
