import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Owner only: secrets and personal data must not be readable by other accounts on the machine. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the folder (and its parents) readable by the owner only, and narrows an existing one.
 * Returns false when an existing folder could not be narrowed (it belongs to another account).
 */
export function ensurePrivateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return narrow(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates the file empty with mode 0600 when missing, narrows it when present; the same for SQLite's
 * `-wal` and `-shm` companions that already exist (SQLite gives new ones the main file's mode).
 */
export function ensurePrivateFile(path: string, companions: readonly string[] = ['-wal', '-shm']): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  narrow(path, PRIVATE_FILE_MODE);
  for (const suffix of companions) if (existsSync(path + suffix)) narrow(path + suffix, PRIVATE_FILE_MODE);
}

/**
 * Writes `content` to `path` with mode 0600 only if `path` does not exist yet, atomically: a reader never
 * sees a partial file, and of two processes racing, one wins. Returns false when the file already existed.
 */
export function writePrivateFileOnce(path: string, content: string): boolean {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function narrow(path: string, mode: number): boolean {
  try {
    chmodSync(path, mode);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw error;
  }
}

/**
 * Makes a SQLite file of the data folder private before it is opened: the folder 0700, the file (and
 * companions already there) 0600. SQLite gives the `-wal` and `-shm` files it creates the main file's mode.
 */
export function preparePrivateDatabase(filename: string): void {
  if (filename === ':memory:' || filename === '') return;
  ensurePrivateDir(dirname(filename));
  ensurePrivateFile(filename);
}
