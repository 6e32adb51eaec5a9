/**
 * A push store in one msgpack file, written atomically (temp file, fsync, rename,
 * directory fsync) after every change. Bursts of changes coalesce into one write
 * that always includes the last change. A file that cannot be read back is
 * reported, moved aside, and the store starts empty; load() never throws for it.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import { PushStoreCorrupted } from './errors.js';
import { parseStoredPush, type PushStore, type StoredPush } from './push-store.js';

/** Marks our files: { format, version, pushes }. */
const FORMAT = 'sluice-push-store';
const VERSION = 1;

/** Options of FilePushStore. */
export interface FilePushStoreOptions {
  /** Told when the file was corrupted and moved aside. Default: console.warn. */
  onCorrupted?: ((error: PushStoreCorrupted) => void) | undefined;
  /** fsync the temp file and the directory before and after the rename. Default true. */
  fsync?: boolean | undefined;
}

/** Keeps push definitions in a msgpack file. */
export class FilePushStore implements PushStore {
  private readonly pushes = new Map<string, StoredPush>();
  private loading: Promise<StoredPush[]> | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  /** Callers of changes that no started write holds yet. */
  private waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private readonly onCorrupted: (error: PushStoreCorrupted) => void;
  private readonly fsync: boolean;
  /** Completed atomic writes (for tests and diagnostics). */
  writeCount = 0;

  /** `path` is the store file; its directory must exist. */
  constructor(
    readonly path: string,
    options: FilePushStoreOptions = {},
  ) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    this.onCorrupted = options.onCorrupted ?? ((error) => console.warn(error.message));
    this.fsync = options.fsync ?? true;
  }

  /** Reads the file (once); a missing file is an empty store. */
  load(): Promise<StoredPush[]> {
    this.loading ??= this.readFromDisk();
    return this.loading.then((pushes) => pushes.map((p) => structuredClone(p)));
  }

  /** Creates or replaces one push in memory; resolves once the file holding it is written. */
  async put(push: StoredPush): Promise<void> {
    await this.load();
    this.pushes.set(push.id, structuredClone(push));
    return this.scheduleWrite();
  }

  /** Removes one push (absent ids are ignored); resolves once the file without it is written. */
  async delete(id: string): Promise<void> {
    await this.load();
    if (!this.pushes.delete(id)) return;
    return this.scheduleWrite();
  }

  /** Waits for the pending write, if any. */
  async close(): Promise<void> {
    await this.writing;
  }

  private async readFromDisk(): Promise<StoredPush[]> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const problem = parseFile(bytes);
    if (typeof problem === 'string') {
      let movedTo: string | undefined = `${this.path}.corrupt-${Date.now()}`;
      try {
        await rename(this.path, movedTo);
      } catch {
        movedTo = undefined;
      }
      try {
        this.onCorrupted(new PushStoreCorrupted(this.path, movedTo, problem));
      } catch {
        // A throwing reporter must not stop start-up.
      }
      return [];
    }
    for (const push of problem) this.pushes.set(push.id, push);
    return problem;
  }

  /**
   * Resolves once a write holding this change has ended. Each change waits for the next
   * write to start and end, not for the writes to stop: under changes that never pause
   * (10,000 start/stop cycles through the API, tools/soak) the callers' promises resolved
   * only when the loop ended, and every one of them was kept until then.
   */
  private scheduleWrite(): Promise<void> {
    this.dirty = true;
    const written = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (this.writing === undefined) {
      const loop = this.writeWhileDirty();
      loop.catch(() => undefined); // its callers hold their own promises; close() still sees the failure
      this.writing = loop;
    }
    return written;
  }

  /** Writes until no change is pending; clears `writing` in the same step that sees nothing dirty. */
  private async writeWhileDirty(): Promise<void> {
    try {
      // Let changes made in the same turn join this write.
      await Promise.resolve();
      while (this.dirty) {
        this.dirty = false;
        const included = this.waiting;
        this.waiting = [];
        const pushes = [...this.pushes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const bytes = encode({ format: FORMAT, version: VERSION, pushes });
        try {
          await this.writeAtomically(bytes);
        } catch (error) {
          this.dirty = true; // the next change retries the whole state
          // this write's changes and those made meanwhile fail together
          for (const w of [...included, ...this.waiting.splice(0)]) w.reject(error);
          throw error;
        }
        this.writeCount++;
        for (const w of included) w.resolve();
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeAtomically(bytes: Uint8Array): Promise<void> {
    const temp = `${this.path}.tmp-${process.pid}`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(bytes);
      if (this.fsync) await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    if (this.fsync) {
      try {
        const dir = await open(dirname(this.path), 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
      } catch {
        // Some platforms cannot fsync a directory; the rename is still atomic.
      }
    }
  }
}

/** Decodes and validates a store file: the pushes, or a text saying what is wrong. */
function parseFile(bytes: Uint8Array): StoredPush[] | string {
  if (bytes.byteLength === 0) return 'empty file';
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    return `not msgpack: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null) return 'not a store object';
  const root = value as Record<string, unknown>;
  if (root.format !== FORMAT) return 'not a sluice push store';
  if (root.version !== VERSION) return `unsupported version ${String(root.version)}`;
  if (!Array.isArray(root.pushes)) return 'pushes is not an array';
  const pushes: StoredPush[] = [];
  for (let i = 0; i < root.pushes.length; i++) {
    const push = parseStoredPush(root.pushes[i]);
    if (typeof push === 'string') return `push ${i}: ${push}`;
    pushes.push(push);
  }
  return pushes;
}
