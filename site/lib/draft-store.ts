// The draft lives in IndexedDB (photos are Blobs) until the server confirms the report.
export interface DraftPhoto {
  blob: Blob;
  name: string;
  exif: { lat: number | null; lng: number | null; takenAt: string | null } | null;
}

export interface Draft {
  idempotencyKey: string;
  fields: Record<string, string>;
  photos: DraftPhoto[];
  savedAt: number;
}

const DB_NAME = 'report-draft';
const STORE = 'drafts';
const KEY = 'current';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = op(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

export const loadDraft = () => run<Draft | undefined>('readonly', (s) => s.get(KEY)).catch(() => undefined);
export const saveDraft = (d: Draft) => run('readwrite', (s) => s.put(d, KEY)).catch(() => undefined);
export const clearDraft = () => run('readwrite', (s) => s.delete(KEY)).catch(() => undefined);
