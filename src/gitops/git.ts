/**
 * @module gitops/git — the few git commands tighten runs: reading revisions (`diff git:REV`), who is making a
 * change (for the state file's history), and committing a stage change (`promote --commit`). The shell: it
 * spawns `git`, nothing else does.
 */
import { spawn } from 'node:child_process';

/** Runs git in `cwd`, resolving with its stdout; rejects with its stderr when it exits non-zero or cannot start. */
export function runGit(args: readonly string[], cwd: string, input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error(`cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(Buffer.concat(err).toString('utf8').trim() || `git ${args[0]} exited ${code}`));
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined); // git exiting early (EPIPE) shows in its exit code
      child.stdin!.end(input);
    }
  });
}

/** Whether `dir` is inside a git work tree. */
export async function isGitWorkTree(dir: string): Promise<boolean> {
  try {
    return (await runGit(['rev-parse', '--is-inside-work-tree'], dir)).toString('utf8').trim() === 'true';
  } catch {
    return false;
  }
}

/** `Name <email>` from git config in `dir`; undefined when neither is set or git is not there. */
export async function gitIdentity(dir: string): Promise<string | undefined> {
  const get = async (key: string): Promise<string | undefined> => {
    try {
      const v = (await runGit(['config', '--get', key], dir)).toString('utf8').trim();
      return v === '' ? undefined : v;
    } catch {
      return undefined;
    }
  };
  const name = await get('user.name');
  const email = await get('user.email');
  if (name === undefined && email === undefined) return undefined;
  return name !== undefined && email !== undefined ? `${name} <${email}>` : (name ?? email);
}

/**
 * Commits exactly `paths` (relative to `dir`; added, changed or deleted) with `message`, whatever else is staged,
 * and returns the new commit's short hash.
 */
export async function commitPaths(dir: string, paths: readonly string[], message: string): Promise<string> {
  await runGit(['add', '--all', '--', ...paths], dir);
  await runGit(['commit', '--quiet', '--file', '-', '--only', '--', ...paths], dir, message);
  return (await runGit(['rev-parse', '--short', 'HEAD'], dir)).toString('utf8').trim();
}
