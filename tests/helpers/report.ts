import { readdirSync } from 'node:fs';
import { count } from 'drizzle-orm';
import type { AppContext } from '../../api/context.ts';
import { complaints } from '../../db/schema.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';

/** A point well inside the demo village 竹林村 (column 1, row 1). */
export const ZHULIN = cellCenter(1, 1);

export function validFields(over: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string | undefined> = {
    category: 'air',
    lat: String(ZHULIN.lat),
    lng: String(ZHULIN.lng),
    description: '村口的塑料作坊每天傍晚冒黑烟，气味刺鼻。',
    anonymous: '1',
    ...over,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

export function reportForm(over: Record<string, string | undefined> = {}, photos: (Buffer | Blob)[] = []): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(validFields(over))) form.append(k, v);
  for (const [i, p] of photos.entries())
    form.append('photos', p instanceof Blob ? p : new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `p${i}.jpg`);
  return form;
}

export const complaintCount = (ctx: AppContext) => ctx.db.select({ n: count() }).from(complaints).get()!.n;
export const photoFiles = (ctx: AppContext) => readdirSync(ctx.photos.dir).filter((f) => !f.startsWith('.'));
