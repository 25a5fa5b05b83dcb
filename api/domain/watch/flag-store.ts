import type { Db } from '../../../db/client.ts';
import { powerFlags, type WatchRule } from '../../../db/schema-watch.ts';
import type { WatchedMeter } from './detection-inputs.ts';
import type { Finding } from './rules/episodes.ts';

export interface FoundFlag {
  meter: WatchedMeter;
  rule: WatchRule;
  finding: Finding;
  /** The rule's gapDays: how near an earlier flag must lie to be the same one. */
  gapDays: number;
}

interface Known {
  id: number;
  status: string;
  firstDay: number;
  lastDay: number;
  strength: number;
  evidence: string;
}

/**
 * Writes a pass's findings. A finding touching (within the rule's gapDays) a flag of the same meter and rule is
 * that flag: updated while open, left alone once decided, so a confirmed or dismissed flag is never reopened nor
 * raised again for the same episode, however the pass's window moved. Anything else is a new flag. An update that
 * changes nothing is not written, so a second pass over the same readings writes nothing. The version is not
 * raised: staff decide on the flag, and newer days of the same episode do not make their decision stale.
 */
export function storeFindings(db: Db, found: readonly FoundFlag[], now: Date) {
  let inserted = 0;
  let updated = 0;
  if (!found.length) return { inserted, updated };
  const known = db.$client.prepare(
    `select id, status, first_day firstDay, last_day lastDay, strength, evidence from power_flags
    where meter_id = ? and rule = ? and last_day >= ? and first_day <= ? order by first_day`,
  );
  const update = db.$client.prepare(
    'update power_flags set last_day = ?, strength = ?, evidence = ?, detected_at = ? where id = ?',
  );
  db.transaction((tx) => {
    for (const { meter, rule, finding: f, gapDays } of found) {
      const near = known.all(meter.id, rule, f.firstDay - gapDays - 1, f.lastDay + gapDays + 1) as Known[];
      if (near.some((k) => k.status !== 'open')) continue;
      const evidence = JSON.stringify(f.evidence);
      const open = near[0];
      if (open) {
        const lastDay = Math.max(open.lastDay, f.lastDay);
        if (lastDay === open.lastDay && open.strength === f.strength && open.evidence === evidence) continue;
        update.run(lastDay, f.strength, evidence, now.getTime(), open.id);
        updated++;
        continue;
      }
      const r = tx
        .insert(powerFlags)
        .values({
          rule,
          meterId: meter.id,
          enterpriseId: meter.enterpriseId,
          townshipId: meter.townshipId,
          villageId: meter.villageId,
          firstDay: f.firstDay,
          lastDay: f.lastDay,
          strength: f.strength,
          evidence: f.evidence,
          detectedAt: now,
        })
        .onConflictDoNothing()
        .run();
      inserted += r.changes;
    }
  });
  return { inserted, updated };
}
