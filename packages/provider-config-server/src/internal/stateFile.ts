// The config server's one state file: `{ revision, items }` as JSON, replaced atomically (a temp
// file in the same directory, fsynced, renamed over the old one, then the directory fsynced), so a
// crash leaves either the old set or the new one, never a part of a set.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isRecord } from '@egts/api';

export interface State {
  revision: number;
  items: unknown[];
}

/** The name `saveState` gives its temp files: `.<state file>.<12 hex digits>.tmp`. */
const tempName = (file: string, suffix: string): string => `.${basename(file)}.${suffix}.tmp`;
const isTempOf = (file: string, name: string): boolean => {
  const prefix = `.${basename(file)}.`;
  return name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length));
};

/**
 * Reads the state; a missing file is the empty state. A file that is not a state throws. Temp
 * files a crash left between write and rename (never the state itself) are removed first.
 */
export async function loadState(file: string): Promise<State> {
  const dir = dirname(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (isTempOf(file, name)) await rm(join(dir, name), { force: true });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { revision: 0, items: [] };
    throw error;
  }
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || typeof value.revision !== 'number' || !Array.isArray(value.items)) {
    throw new Error(`${file}: not a config server state file ({ revision, items })`);
  }
  return { revision: value.revision, items: value.items };
}

export async function saveState(file: string, state: State): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, tempName(file, randomBytes(6).toString('hex')));
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 1)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // The rename is durable only once the directory entry is on disk.
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
