import { TableError } from '../shared/table-rows.ts';
import { fold } from './names.ts';

/**
 * Reads another department's table, whatever its column order and with the headers each department writes: the
 * header row is found within the first lines, each column known by one of its names, a unit in brackets after a
 * figure's name (税收（元）, 用地面积（平方米）) converts to the unit stored. Every problem is kept by line, in Chinese;
 * the caller refuses the whole file if there is any.
 */
export interface SheetRow {
  /** The line as the person sees it in the file, 1-based. */
  line: number;
  cells: string[];
}
export interface LineError {
  line: number;
  message: string;
}

export interface ColumnSpec<K extends string> {
  key: K;
  /** What the page and the errors call it. */
  label: string;
  /** Header texts it is known by (compared without spaces, brackets' contents apart). */
  names: string[];
  /** For a figure: units a header may name in brackets, as factors to the stored unit; the first is stored. */
  units?: Record<string, number>;
}

const HEADER_LINES = 5;
/** Stored: the first errors; the count of all is said beside them. */
export const MAX_ERRORS = 100;
const BRACKETED = /[(（]([^()（）]*)[)）]\s*$/;
const compact = (s: string) => fold(s).replace(/[\s“”"'‘’:：*＊]/g, '');

export interface Header<K extends string> {
  line: number;
  /** Column index of each key found, and the factor its unit converts by. */
  at: Map<K, { index: number; factor: number }>;
}

function headerOf<K extends string>(row: SheetRow, specs: ColumnSpec<K>[]): Header<K> & { problems: string[] } {
  const at = new Map<K, { index: number; factor: number }>();
  const problems: string[] = [];
  row.cells.forEach((cell, index) => {
    const text = compact(cell);
    if (text === '') return;
    const unit = BRACKETED.exec(text)?.[1];
    const bare = unit === undefined ? text : text.slice(0, text.length - unit.length - 2);
    const spec = specs.find((s) => s.names.some((n) => n === text || n === bare));
    if (!spec || at.has(spec.key)) return;
    let factor = 1;
    if (spec.units && unit !== undefined && spec.names.every((n) => n !== text)) {
      const f = spec.units[unit];
      if (f === undefined) {
        problems.push(`“${cell.trim()}”的单位应为${Object.keys(spec.units).join('、')}之一`);
        return;
      }
      factor = f;
    }
    at.set(spec.key, { index, factor });
  });
  return { line: row.line, at, problems };
}

/** Lets other requests run between slices of a long loop (no event-loop block over 50 ms). */
export const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A loop's turn-giver: `await turn()` in each pass yields once the loop has held the thread for `ms`. */
export function slices(ms = 15): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < ms) return;
    return pause().then(() => {
      since = performance.now();
    });
  };
}

export interface ReadTable<K extends string> {
  header: Header<K> | null;
  records: { line: number; values: Partial<Record<K, string>>; factors: Partial<Record<K, number>> }[];
  errors: LineError[];
  errorCount: number;
  rowsRead: number;
}

/**
 * The records under the header, each cell trimmed; blank lines skipped. `required`: the columns without which the
 * file is refused (one of `oneOf` must be present too, e.g. the credit code or the name).
 */
export async function readTable<K extends string>(
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>,
  specs: ColumnSpec<K>[],
  required: { all: K[]; oneOf?: K[] },
): Promise<ReadTable<K>> {
  const out: ReadTable<K> = { header: null, records: [], errors: [], errorCount: 0, rowsRead: 0 };
  const seen: SheetRow[] = [];
  const turn = slices();
  try {
    for await (const row of rows) {
      await turn();
      if (row.cells.every((c) => c.trim() === '')) continue;
      if (!out.header) {
        seen.push(row);
        const h = headerOf(row, specs);
        const complete =
          required.all.every((k) => h.at.has(k)) && (!required.oneOf || required.oneOf.some((k) => h.at.has(k)));
        if (complete) {
          for (const p of h.problems) addError(out, h.line, p);
          out.header = { line: h.line, at: h.at };
        } else if (seen.length >= HEADER_LINES) break;
        continue;
      }
      out.rowsRead++;
      const values: Partial<Record<K, string>> = {};
      const factors: Partial<Record<K, number>> = {};
      for (const [key, { index, factor }] of out.header.at) {
        values[key] = (row.cells[index] ?? '').trim();
        factors[key] = factor;
      }
      out.records.push({ line: row.line, values, factors });
    }
  } catch (e) {
    if (!(e instanceof TableError)) throw e;
    addError(out, e.line ?? 1, e.message.replace(/^第 \d+ 行：/, ''));
    return out;
  }
  if (!out.header) {
    const names = (keys: K[]) => keys.map((k) => `“${specs.find((s) => s.key === k)!.label}”`).join('、');
    const need = [required.all.length ? names(required.all) : '', required.oneOf ? `${names(required.oneOf)}之一` : '']
      .filter(Boolean)
      .join('，以及');
    addError(out, seen[0]?.line ?? 1, `前 ${HEADER_LINES} 行中没有找到表头：须有${need}`);
  } else if (out.rowsRead === 0) addError(out, out.header.line, '表头下没有数据行');
  return out;
}

export function addError(t: { errors: LineError[]; errorCount: number }, line: number, message: string): void {
  t.errorCount++;
  if (t.errors.length < MAX_ERRORS) t.errors.push({ line, message });
}

/**
 * A figure: blank is null; digits with thousands separators, times the header's unit factor; anything else, or
 * below zero, is an error message.
 */
export function parseFigure(raw: string | undefined, factor = 1): { value: number | null } | { error: string } {
  const s = fold(raw ?? '').replace(/[,\s]/g, '');
  if (s === '' || s === '-' || s === '/') return { value: null };
  if (!/^\d+(\.\d+)?$/.test(s)) return { error: `“${raw}”不是数字（不能为负数）` };
  return { value: Number(s) * factor };
}
