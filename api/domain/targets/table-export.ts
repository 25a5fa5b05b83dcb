import type { Db } from '../../../db/client.ts';
import { onReadThread } from '../shared/read-thread.ts';
import type { TableFile, TableJob } from './table-workbooks.ts';

const TASK = { module: new URL('./table-workbooks.ts', import.meta.url).href, name: 'tableWorkbook' };

/** The table read and built on the read thread (table-workbooks.ts); null when the township picked does not exist. */
export const tableOffThread = (db: Db, job: TableJob): Promise<TableFile | null> =>
  onReadThread(db.$client.name, TASK, job);
