import { openDatabase, type Db } from './client.ts';

/**
 * A thread's connection to each database it is asked to write (an import thread): one process may serve several
 * databases (tests), so a few are kept open, the oldest closed when a fifth is needed.
 */
const connections = new Map<string, Db>();
export function threadConnection(file: string): Db {
  let db = connections.get(file);
  if (!db) {
    if (connections.size >= 4) {
      const [oldest, old] = connections.entries().next().value!;
      connections.delete(oldest);
      old.$client.close();
    }
    connections.set(file, (db = openDatabase(file)));
  }
  return db;
}
