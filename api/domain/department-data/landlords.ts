import { and, asc, eq, ne } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { villages } from '../../../db/schema.ts';
import { enterprises, type EnterpriseStatus } from '../../../db/schema-enforcement.ts';
import { normalisePerson, normalisePhone } from './names.ts';

export interface LandlordFile {
  enterpriseId: number;
  name: string;
  village: string;
  status: EnterpriseStatus;
}
export interface Landlord {
  /** The name written most often on the files (first seen on a tie). */
  name: string;
  /** Every way the files write name and phone, normalised, distinct. */
  names: string[];
  phones: string[];
  files: LandlordFile[];
  /** Files still listed or being remediated: the workshops the landlord leases to today. */
  open: number;
}

/**
 * 出租方 of the township's listed workshops (files with premises 'rented'), seeds 000/001/003: one person however
 * the files write him. Two files are one landlord when they give the same phone, or the same name and no phone
 * that tells them apart (one name with two different phones is two people; a file with the name and no phone joins
 * them only when the name has a single phone). Most leases first.
 */
export function landlords(db: Db, townshipId: number): Landlord[] {
  const rows = db
    .select({
      enterpriseId: enterprises.id,
      name: enterprises.name,
      village: villages.name,
      status: enterprises.status,
      landlord: enterprises.landlord,
      phone: enterprises.landlordPhone,
    })
    .from(enterprises)
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .where(
      and(eq(enterprises.townshipId, townshipId), eq(enterprises.premises, 'rented'), ne(enterprises.landlord, '')),
    )
    .orderBy(asc(enterprises.id))
    .all()
    .map((r) => ({ ...r, person: normalisePerson(r.landlord), tel: normalisePhone(r.phone) }))
    .filter((r) => r.person !== '');

  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const join = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  const firstByPhone = new Map<string, number>();
  const byName = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.tel) {
      const first = firstByPhone.get(r.tel);
      if (first === undefined) firstByPhone.set(r.tel, i);
      else join(i, first);
    }
    byName.set(r.person, [...(byName.get(r.person) ?? []), i]);
  });
  for (const idx of byName.values()) {
    const phones = new Set(idx.map((i) => rows[i]!.tel).filter(Boolean));
    if (phones.size > 1) {
      const blank = idx.filter((i) => !rows[i]!.tel);
      for (const i of blank.slice(1)) join(i, blank[0]!);
    } else for (const i of idx.slice(1)) join(i, idx[0]!);
  }

  const groups = new Map<number, typeof rows>();
  rows.forEach((r, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), r]);
  });
  const out: Landlord[] = [...groups.values()].map((g) => {
    const tally = new Map<string, number>();
    for (const r of g) tally.set(r.person, (tally.get(r.person) ?? 0) + 1);
    const name = [...tally].reduce((best, t) => (t[1] > best[1] ? t : best))[0];
    return {
      name,
      names: [...tally.keys()],
      phones: [...new Set(g.map((r) => r.tel).filter(Boolean))],
      files: g.map(({ enterpriseId, name, village, status }) => ({ enterpriseId, name, village, status })),
      open: g.filter((r) => r.status !== 'done').length,
    };
  });
  return out.sort(
    (a, b) => b.files.length - a.files.length || b.open - a.open || a.files[0]!.enterpriseId - b.files[0]!.enterpriseId,
  );
}
