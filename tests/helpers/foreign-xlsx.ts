import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test configuration: a reader of .xlsx that is not exceljs, so that a file only exceljs can read fails.
// Debian's python3-openpyxl (`apt-get install -y python3-openpyxl`) sits beside Debian's own python3,
// which may not be the first python3 on the PATH.
const PYTHONS = ['python3', '/usr/bin/python3'];
const python = PYTHONS.find((p) => spawnSync(p, ['-c', 'import openpyxl'], { stdio: 'ignore' }).status === 0);

export const hasForeignReader = python !== undefined;
if (!hasForeignReader) {
  const message =
    '\n!!! NO openpyxl (python3 -c "import openpyxl"): tests reading .xlsx with a second reader are SKIPPED. ' +
    "Install Debian's python3-openpyxl. !!!\n";
  // CI must not go green with the check skipped.
  if (process.env.CI) throw new Error(`CI is set but ${message}`);
  console.warn(message);
}

// Every sheet's cells as openpyxl reads them; times as "YYYY-MM-DD HH:MM", empty cells as null.
const SCRIPT = `
import datetime, json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
def value(v):
    if isinstance(v, datetime.datetime):
        return v.strftime('%Y-%m-%d %H:%M')
    return v
print(json.dumps([
    {'name': ws.title, 'rows': [[value(v) for v in row] for row in ws.iter_rows(values_only=True)]}
    for ws in book.worksheets
], ensure_ascii=False))
`;

export interface ForeignSheet {
  name: string;
  rows: (string | number | null)[][];
}

/** An .xlsx as openpyxl reads it: each sheet's rows of values. */
export function readWithOpenpyxl(bytes: Uint8Array): ForeignSheet[] {
  if (!python) throw new Error('no python3 with openpyxl');
  const dir = mkdtempSync(join(tmpdir(), 'foreign-xlsx-'));
  try {
    const path = join(dir, 'book.xlsx');
    writeFileSync(path, bytes);
    return JSON.parse(execFileSync(python, ['-c', SCRIPT, path], { encoding: 'utf8' })) as ForeignSheet[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
