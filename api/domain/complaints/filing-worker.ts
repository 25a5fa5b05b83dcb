// The write thread's entry: residents' reports are committed here (decision 009), and indexed
// for text and space-time search in batches after them (decision 010).
import { serveWrites } from '../../../db/write-worker.ts';
import { insertFiling } from './filing-sql.ts';
import { INDEX_BATCH, indexComplaints } from './search-index.ts';

serveWrites(insertFiling, { run: (conn) => indexComplaints(conn, INDEX_BATCH), batch: INDEX_BATCH, afterWrites: 256, idleMs: 20 });
