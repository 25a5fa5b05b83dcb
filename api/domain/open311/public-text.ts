import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { enterpriseComplaints } from '../../../db/schema-enforcement.ts';
import { MERGE_DEPTH, rulesFor } from '../public/cases.ts';
import { NO_RULES, redactionRules, redactText, type RedactionRules } from '../public/redaction.ts';

/** Every string the reporters of each complaint, and of those merged into it, gave: read only to be masked. */
function reporterStringsOf(db: Db, ids: number[]): Map<number, string[]> {
  const rows = db.all<{ root: number; name: string | null; phone: string | null }>(sql`
    with recursive owned(c, root, depth) as (
      select id, id, 0 from complaints where id in ${ids}
      union
      select m.id, o.root, o.depth + 1 from owned o join complaints m on m.merged_into_id = o.c
        where o.depth < ${MERGE_DEPTH}
    )
    select o.root as root, k.name as name, k.phone as phone
      from owned o join complaint_contacts k on k.complaint_id = o.c`);
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const list = out.get(r.root) ?? [];
    for (const v of [r.name, r.phone]) if (v?.trim()) list.push(v);
    out.set(r.root, list);
  }
  return out;
}

/**
 * How each complaint's text (the resident's description, the replies) is shown to the public, as
 * typical cases are: a complaint about an enterprise on file is redacted with that file's rules (its
 * persons and every reporter of its complaints); any other with its own reporters' strings; phones,
 * ID numbers and e-mails always. Rules are read once for a page of complaints.
 */
export function publicTextOf(db: Db, complaintIds: readonly number[]): (complaintId: number, text: string) => string {
  const ids = [...new Set(complaintIds)];
  const rules = new Map<number, RedactionRules>();
  if (ids.length) {
    const links = db
      .select({ complaintId: enterpriseComplaints.complaintId, enterpriseId: enterpriseComplaints.enterpriseId })
      .from(enterpriseComplaints)
      .where(inArray(enterpriseComplaints.complaintId, ids))
      .all();
    const byEnterprise = new Map<number, RedactionRules>();
    for (const l of links) {
      let r = byEnterprise.get(l.enterpriseId);
      if (!r) byEnterprise.set(l.enterpriseId, (r = rulesFor(db, l.enterpriseId)));
      rules.set(l.complaintId, r);
    }
    const unlinked = ids.filter((id) => !rules.has(id));
    if (unlinked.length) {
      const strings = reporterStringsOf(db, unlinked);
      for (const id of unlinked) {
        const reporters = strings.get(id) ?? [];
        rules.set(
          id,
          reporters.length
            ? redactionRules({ name: '', personInCharge: '', landlord: '', businessLicence: false, reporters })
            : NO_RULES,
        );
      }
    }
  }
  return (complaintId, text) => redactText(text, rules.get(complaintId) ?? NO_RULES);
}
