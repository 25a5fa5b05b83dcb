// The write thread's entry: residents' reports are committed here (decision 009).
import { serveWrites } from '../../db/write-worker.ts';
import { insertFiling } from './complaint-filing.ts';

serveWrites(insertFiling);
