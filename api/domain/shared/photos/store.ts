import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Photos live on disk under server-made names; the database holds only those names. */
export class PhotoStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // A crash between write and rename leaves *.tmp files that no row can reference.
    for (const name of await readdir(this.dir)) if (name.endsWith('.tmp')) await unlink(join(this.dir, name));
  }

  newName(ext: string): string {
    return `${randomBytes(16).toString('base64url')}.${ext}`;
  }

  /** Durable before it returns: data fsynced, renamed into place, directory fsynced. */
  async writeAll(files: { name: string; data: Buffer }[]): Promise<void> {
    if (files.length === 0) return;
    const written: string[] = [];
    try {
      for (const f of files) {
        const tmp = join(this.dir, `${f.name}.tmp`);
        const handle = await open(tmp, 'wx', 0o640);
        try {
          await handle.writeFile(f.data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(tmp, join(this.dir, f.name));
        written.push(f.name);
      }
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      await this.removeAll([...written, ...files.map((f) => `${f.name}.tmp`)]);
      throw err;
    }
  }

  async removeAll(names: string[]): Promise<void> {
    await Promise.all(names.map((n) => unlink(join(this.dir, n)).catch(() => undefined)));
  }

  read(name: string): Promise<Buffer> {
    if (!/^[A-Za-z0-9_-]+\.webp$/.test(name)) throw new Error('bad photo name');
    return readFile(join(this.dir, name));
  }

  /** A field photo's original bytes as received (`<id>.orig`, decision 017): private, for evidence packages. */
  readOriginal(name: string): Promise<Buffer> {
    if (!/^[A-Za-z0-9_-]+\.orig$/.test(name)) throw new Error('bad original name');
    return readFile(join(this.dir, name));
  }
}
