import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../../../db/client.ts';
import type { TariffClass } from '../../../db/schema-watch.ts';
import type { EnterpriseStatus } from '../../../db/schema-enforcement.ts';
import { dayOf } from './days.ts';

/** A power meter with what the rules need to know of its file. */
export interface WatchedMeter {
  id: number;
  townshipId: number;
  villageId: number;
  enterpriseId: number | null;
  tariff: TariffClass | null;
  enterpriseStatus: EnterpriseStatus | null;
  /** The day its line was proven cut (rule 1), the latest such proof. */
  cutDay: number | null;
  /** The day its file's shutdown was accepted, while the file stays done (rules 2 and 3). */
  closureDay: number | null;
}

type MeterRow = Omit<WatchedMeter, 'cutDay' | 'closureDay'>;

/** Meters read at once: a page of the meter list is a few milliseconds, the event loop given back between. */
const PAGE = 2_000;

/**
 * The township's active power meters, in id order, each with its file's status, its proven 断电 and its file's
 * closure. A cut_industrial_power line proves the industrial supply cut, so it watches the file's non-residential
 * meters only; cut_power watches all of them.
 */
export async function* watchedMeters(db: Db, townshipId: number): AsyncGenerator<WatchedMeter> {
  const c = db.$client;
  const page = c.prepare(
    `select m.id, m.township_id townshipId, m.village_id villageId, m.enterprise_id enterpriseId, m.tariff,
      e.status enterpriseStatus
    from meters m left join enterprises e on e.id = m.enterprise_id
    where m.township_id = ? and m.id > ? and m.kind = 'power' and m.status = 'active' order by m.id limit ${PAGE}`,
  );
  const cuts = c
    .prepare(
      `select t.enterprise_id enterpriseId, ti.code, max(ti.done_at) doneAt
      from tasks t join task_items ti on ti.task_id = t.id join enterprises e on e.id = t.enterprise_id
      where t.status = 'accepted' and ti.code in ('cut_power', 'cut_industrial_power') and ti.done_at is not null
        and e.township_id = ?
      group by t.enterprise_id, ti.code`,
    )
    .all(townshipId) as { enterpriseId: number; code: string; doneAt: number }[];
  const closures = c
    .prepare(
      `select t.enterprise_id enterpriseId, max(t.accepted_at) acceptedAt
      from tasks t join enterprises e on e.id = t.enterprise_id
      where t.status = 'accepted' and t.type = 'shutdown' and e.status = 'done' and t.accepted_at is not null
        and e.township_id = ?
      group by t.enterprise_id`,
    )
    .all(townshipId) as { enterpriseId: number; acceptedAt: number }[];
  const closureOf = new Map(closures.map((r) => [r.enterpriseId, dayOf(r.acceptedAt)]));
  const cutsOf = new Map<number, typeof cuts>();
  for (const cut of cuts) cutsOf.set(cut.enterpriseId, [...(cutsOf.get(cut.enterpriseId) ?? []), cut]);
  for (let after = 0; ; ) {
    await nextTurn();
    const rows = page.all(townshipId, after) as MeterRow[];
    for (const m of rows) {
      let cutDay: number | null = null;
      for (const cut of (m.enterpriseId && cutsOf.get(m.enterpriseId)) || [])
        if (cut.code === 'cut_power' || m.tariff !== 'residential') cutDay = Math.max(cutDay ?? 0, dayOf(cut.doneAt));
      yield { ...m, cutDay, closureDay: (m.enterpriseId && closureOf.get(m.enterpriseId)) ?? null };
    }
    if (rows.length < PAGE) return;
    after = (rows[rows.length - 1] as MeterRow).id;
  }
}
