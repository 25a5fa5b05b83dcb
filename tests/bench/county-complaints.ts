// Five years of a county's reports with the work behind them: each complaint in its final state with its status
// changes, its 交办 work items (签收 and 反馈 mostly on time, some late, some 督办), the departments joined, 1.5 % reopened,
// a quarter of the finished ones rated by their reporters, 5 % linked to an enterprise file. Points near a township
// boundary carry the neighbour as border township. Raw prepared inserts, one transaction per 50,000 complaints.
import type Database from 'better-sqlite3';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { newTrackingCode } from '../../api/domain/complaints/tracking-code.ts';
import { type BenchTownship, FILES, VILLAGE_SIZE } from './county-places.ts';
import { PHRASES } from './generate-complaints.ts';

const YEARS = 5;
const CHUNK = 50_000;
// 100 m at 30.7° N, in degrees of longitude and latitude (BORDER_METRES).
const BORDER = [0.001046, 0.000899] as const;
type Status = 'submitted' | 'accepted' | 'assigned' | 'resolved' | 'closed' | 'rejected' | 'merged';

/** The status mix by age in days: fresh reports wait, older ones are decided; a few stragglers stay open. */
function statusAt(age: number, r: number): Status {
  const mix: [Status, number][] =
    age < 2
      ? [
          ['submitted', 0.55],
          ['accepted', 0.15],
          ['assigned', 0.25],
          ['rejected', 1],
        ]
      : age < 15
        ? [
            ['submitted', 0.05],
            ['accepted', 0.13],
            ['assigned', 0.68],
            ['resolved', 0.83],
            ['closed', 0.88],
            ['rejected', 0.96],
            ['merged', 1],
          ]
        : age < 75
          ? [
              ['accepted', 0.02],
              ['assigned', 0.2],
              ['resolved', 0.45],
              ['closed', 0.85],
              ['rejected', 0.95],
              ['merged', 1],
            ]
          : [
              ['accepted', 0.001],
              ['assigned', 0.003],
              ['closed', 0.723],
              ['resolved', 0.773],
              ['rejected', 0.913],
              ['merged', 1],
            ];
  return mix.find(([, upTo]) => r < upTo)![0];
}

export function fillComplaints(
  c: Database.Database,
  towns: BenchTownship[],
  n: number,
  rand: () => number,
  now: number,
) {
  const ins = {
    complaint: c.prepare(`INSERT INTO complaints (tracking_code, township_id, village_id, border_township_id,
      category_id, lat, lng, description, status, due_at, accepted_at, merged_into_id, has_photos, version, source,
      created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'seed', ?, ?)`),
    event: c.prepare(`INSERT INTO complaint_events (complaint_id, from_status, to_status, action, at)
      VALUES (?, ?, ?, ?, ?)`),
    item: c.prepare(`INSERT INTO assignments (complaint_id, village_id, department_id, status, ack_due_at,
      answer_due_at, acknowledged_at, answered_at, outcome, reviewed_at, urge_count, last_urged_at, created_at,
      updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    itemEvent: c.prepare(`INSERT INTO assignment_events (assignment_id, action, from_status, to_status, at)
      VALUES (?, ?, ?, ?, ?)`),
    joined: c.prepare('INSERT INTO complaint_departments (complaint_id, department_id) VALUES (?, ?)'),
    rating: c.prepare(`INSERT INTO complaint_followups (complaint_id, kind, rating, created_at)
      VALUES (?, 'rating', ?, ?)`),
    link: c.prepare('INSERT INTO enterprise_complaints (complaint_id, enterprise_id, linked_at) VALUES (?, ?, ?)'),
  };
  const categories = c.prepare('SELECT id FROM complaint_categories ORDER BY id').pluck().all() as number[];
  const stations = new Map(
    (c.prepare('SELECT township_id t, id FROM departments').all() as { t: number | null; id: number }[]).map((d) => [
      d.t ?? -d.id,
      d.id,
    ]),
  );
  const county = [...stations].filter(([k]) => k < 0).map(([, id]) => id);
  const firstFile = c.prepare('SELECT min(id) FROM enterprises').pluck().get() as number;
  let sum = 0;
  const cumulative = towns.map((t) => (sum += t.weight));
  const total = cumulative.at(-1)!;
  const span = YEARS * 365 * DAY_MS;
  const cap = (t: number) => Math.min(t, now - 60_000);
  const days = (a: number, b: number) => Math.floor((a + (b - a) * rand()) * DAY_MS);
  let id = (c.prepare('SELECT coalesce(max(id), 0) FROM complaints').pluck().get() as number) + 1;

  const one = (i: number) => {
    const created = now - Math.floor(((n - i) / n) * span); // ids grow with filing time, as in life
    const age = (now - created) / DAY_MS;
    const w = rand() * total;
    const t = towns[cumulative.findIndex((s) => w < s)]!;
    const v = t.villages[Math.floor(rand() * t.villages.length)]!;
    const lng = v.x0 + rand() * VILLAGE_SIZE.x,
      lat = v.y0 + rand() * VILLAGE_SIZE.y;
    const gaps = [lng - t.x0, t.x1 - lng, lat - t.y0, t.y1 - lat];
    const near = gaps.findIndex((g, k) => g < BORDER[k >> 1]! && t.sides[k] != null);
    const border = near < 0 ? null : t.sides[near]!;
    const status = statusAt(age, rand());
    const decided = cap(created + days(0.05, 3));
    const accepted = ['submitted', 'rejected', 'merged'].includes(status) ? null : decided;
    const due = accepted ? accepted + 60 * DAY_MS : created + 15 * DAY_MS;
    const text = `${PHRASES[i % PHRASES.length]}，编号${i}，${PHRASES[(i * 7) % PHRASES.length]}`;
    ins.complaint.run(
      newTrackingCode(),
      t.id,
      v.id,
      border,
      categories[Math.floor(rand() * categories.length)],
      lat,
      lng,
      text,
      status,
      due,
      accepted,
      status === 'merged' && id > 1 ? id - 1 : null,
      i % 3 === 0 ? 1 : 0,
      created,
      cap(created + 3 * DAY_MS),
    );
    ins.event.run(id, null, 'submitted', 'submit', created);
    if (status === 'rejected' || status === 'merged')
      ins.event.run(id, 'submitted', status, status === 'rejected' ? 'reject' : 'merge', decided);
    if (accepted) ins.event.run(id, 'submitted', 'accepted', 'accept', accepted);
    if (['assigned', 'resolved', 'closed'].includes(status)) {
      const assigned = cap(accepted! + days(0, 2));
      ins.event.run(id, 'accepted', 'assigned', 'assign', assigned);
      // 8 % finish after the deadline.
      const resolved = status === 'assigned' ? null : cap(assigned + (rand() < 0.08 ? days(60, 90) : days(3, 50)));
      workItem(id, v.id, null, assigned, due, resolved);
      if (rand() < 0.2) {
        const dept = rand() < 0.4 ? stations.get(t.id)! : county[Math.floor(rand() * county.length)]!;
        ins.joined.run(id, dept);
        workItem(id, v.id, dept, assigned, due, resolved);
      }
      if (resolved) {
        ins.event.run(id, 'assigned', 'resolved', 'resolve', resolved);
        let closed = status === 'closed' ? cap(resolved + days(1, 10)) : null;
        if (closed && rand() < 0.015 && closed + 70 * DAY_MS < now) {
          // Reopened (the reporter said it came back), worked again and closed again.
          const again = closed + days(5, 40);
          ins.event.run(id, 'closed', 'accepted', 'reopen', again);
          ins.event.run(id, 'accepted', 'assigned', 'assign', again + DAY_MS);
          ins.event.run(id, 'assigned', 'resolved', 'resolve', again + days(5, 20));
          closed = again + days(21, 28);
        }
        if (closed) ins.event.run(id, 'resolved', 'closed', 'close', closed);
        if (rand() < 0.25) {
          const r = rand();
          const at = cap(resolved + days(0.5, 7));
          ins.rating.run(id, r < 0.72 ? 'satisfied' : r < 0.9 ? 'basically' : 'unsatisfied', at);
        }
      }
    }
    if (rand() < 0.05) ins.link.run(id, firstFile + Math.floor(rand() * FILES), created);
    id++;
  };

  /** One village's or department's item: 签收 within the working day for most, 反馈 by the complaint's deadline. */
  const workItem = (
    cid: number,
    village: number,
    dept: number | null,
    at: number,
    due: number,
    done: number | null,
  ) => {
    const ackDue = at + DAY_MS;
    const lateAck = rand() < 0.12;
    const acked = cap(at + (lateAck ? days(1.2, 4) : days(0.05, 0.9)));
    const stage = done
      ? 'approved'
      : acked >= now - 60_000 || rand() < 0.2
        ? 'pending'
        : rand() < 0.7
          ? 'checking'
          : 'answered';
    const answered = done ? cap(done - days(0, 1)) : stage === 'answered' ? cap(acked + days(1, 10)) : null;
    const urged = (lateAck || (done ?? now) > due) && rand() < 0.5 ? 1 + Math.floor(rand() * 2) : 0;
    const urgedAt = urged ? cap(ackDue + days(0.2, 3)) : null;
    const outcome = answered ? (rand() < 0.75 ? 'stopped' : rand() < 0.5 ? 'needs_case' : 'unfounded') : null;
    const item = Number(
      ins.item.run(
        cid,
        village,
        dept,
        stage,
        ackDue,
        due,
        stage === 'pending' ? null : acked,
        answered,
        outcome,
        done,
        urged,
        urgedAt,
        at,
        done ?? answered ?? at,
      ).lastInsertRowid,
    );
    ins.itemEvent.run(item, 'create', null, 'pending', at);
    for (let u = 0; u < urged; u++) ins.itemEvent.run(item, 'urge', 'pending', 'pending', urgedAt! + u * DAY_MS);
    if (stage === 'pending') return;
    ins.itemEvent.run(item, 'acknowledge', 'pending', 'checking', acked);
    if (answered) ins.itemEvent.run(item, 'answer', 'checking', 'answered', answered);
    if (done) ins.itemEvent.run(item, 'approve', 'answered', 'approved', done);
  };

  const batch = c.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) one(i);
  });
  for (let from = 0; from < n; from += CHUNK) {
    batch(from, Math.min(n, from + CHUNK));
    if (from % 500_000 === 0) console.log(`  ${from.toLocaleString()} of ${n.toLocaleString()} complaints`);
  }
}
