import type { Db } from '../../../db/client.ts';
import { onReadThread } from '../shared/read-thread.ts';

export type WorkbookJob = { townshipId: number; township: string; now: Date } & (
  | { kind: 'evaluation'; year: number }
  | { kind: 'landlords' }
);

const TASK = { module: new URL('./export-thread.ts', import.meta.url).href, name: 'buildWorkbook' };

/**
 * The township's evaluation or landlords as .xlsx, read and built off the HTTP thread (export-thread.ts): the HTTP
 * thread only posts the job and receives the bytes.
 */
export const workbookOffThread = (db: Db, job: WorkbookJob): Promise<Uint8Array<ArrayBuffer>> =>
  onReadThread(db.$client.name, TASK, job);
