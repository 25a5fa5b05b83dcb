export type FlatQuery = { ok: true; query: Record<string, string> } | { ok: false; message: string };

/**
 * A query string as Open311 clients send it: a list argument (`status=open&status=closed`,
 * `service_code=a,b`) may repeat and hold commas, and all its values are kept; any other argument
 * may appear once (or repeat the same value). Nothing is cut to its first value without a word.
 */
export function flattenQuery(queries: Record<string, string[]>, lists: ReadonlySet<string>): FlatQuery {
  const query: Record<string, string> = {};
  for (const [name, values] of Object.entries(queries)) {
    if (lists.has(name)) {
      query[name] = values
        .map((v) => v.trim())
        .filter(Boolean)
        .join(',');
      continue;
    }
    const distinct = [...new Set(values.map((v) => v.trim()))];
    if (distinct.length > 1) return { ok: false, message: `参数 ${name} 只能给一个值（收到 ${distinct.length} 个）` };
    query[name] = distinct[0] ?? '';
  }
  return { ok: true, query };
}
