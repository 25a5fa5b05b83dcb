import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { enterprises } from '../../../db/schema-enforcement.ts';
import { registerEntries } from '../../../db/schema-watch.ts';
import { normaliseCreditCode, normaliseName } from './names.ts';

export type MatchedBy = 'credit_code' | 'name' | 'staff';
export type Match = { enterpriseId: number; by: MatchedBy } | { enterpriseId: null; note: string };

/**
 * Finds a register row's file in the township: by 统一社会信用代码 first, else by the normalised name when exactly
 * one file has it and no credit code says otherwise. Two files of one name, or a name whose file carries another
 * credit code, stay unmatched with the reason, for the office to decide by hand.
 */
export class Matcher {
  private byCode = new Map<string, number>();
  private byName = new Map<string, { id: number; code: string | null }[]>();
  /** What earlier register rows (matched automatically or by hand) say: for figures, which have no match column. */
  private known = { byCode: new Map<string, number>(), byName: new Map<string, number>() };

  constructor(db: Db, townshipId: number, opts: { useRegister?: boolean } = {}) {
    const files = db
      .select({ id: enterprises.id, name: enterprises.name, code: enterprises.creditCode })
      .from(enterprises)
      .where(eq(enterprises.townshipId, townshipId))
      .all();
    for (const f of files) {
      const code = f.code ? normaliseCreditCode(f.code) : null;
      if (code) this.byCode.set(code, f.id);
      const key = normaliseName(f.name);
      const list = this.byName.get(key) ?? [];
      list.push({ id: f.id, code });
      this.byName.set(key, list);
    }
    if (!opts.useRegister) return;
    const entries = db
      .select({ code: registerEntries.creditCode, name: registerEntries.name, id: registerEntries.enterpriseId })
      .from(registerEntries)
      .where(and(eq(registerEntries.townshipId, townshipId), isNotNull(registerEntries.enterpriseId)))
      .all();
    for (const e of entries) {
      if (e.code) this.known.byCode.set(e.code, e.id!);
      this.known.byName.set(normaliseName(e.name), e.id!);
    }
  }

  match(creditCode: string | null, name: string): Match {
    if (creditCode) {
      const id = this.byCode.get(creditCode);
      if (id !== undefined) return { enterpriseId: id, by: 'credit_code' };
    }
    const key = normaliseName(name);
    const files = this.byName.get(key) ?? [];
    if (files.length === 1) {
      const f = files[0]!;
      if (!creditCode || !f.code) return { enterpriseId: f.id, by: 'name' };
    }
    const knownByCode = creditCode ? this.known.byCode.get(creditCode) : undefined;
    if (knownByCode) return { enterpriseId: knownByCode, by: 'credit_code' };
    const knownByName = this.known.byName.get(key);
    if (knownByName) return { enterpriseId: knownByName, by: 'name' };
    if (files.length > 1) return { enterpriseId: null, note: `本镇有 ${files.length} 份同名档案，请人工匹配` };
    if (files.length === 1) return { enterpriseId: null, note: '名称相同的档案登记了另一个统一社会信用代码' };
    return { enterpriseId: null, note: '本镇没有这个名称或信用代码的档案' };
  }
}
