import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../../../db/client.ts';
import type { WatchRule } from '../../../db/schema-watch.ts';
import { type Actor, audit } from '../accounts/audit.ts';
import { dayOf, minuteOf, startOfDay } from './days.ts';
import { type WatchedMeter, watchedMeters } from './detection-inputs.ts';
import { type FoundFlag, storeFindings } from './flag-store.ts';
import { loadRuleParams, type RuleParams, type RuleSettings } from './rule-params.ts';
import { DailyReader } from './daily-reader.ts';
import { cutMeterUse } from './rules/cut-meter-use.ts';
import { type Finding, median } from './rules/episodes.ts';
import { daytimeBaseRatios, houseFactory, maxWindowMean } from './rules/house-factory.ts';
import { jumpAfterClosure } from './rules/jump-after-closure.ts';
import { nightUse } from './rules/night-use.ts';
import type { DailyPoint, IntervalPoint } from './series.ts';

/** The event loop is given back at least this often (ms) while a pass reads and judges readings. */
const SLICE_MS = 10;
/** Findings written per transaction, the event loop given back between. */
const WRITE_BATCH = 200;

export const NIGHTLY: Actor = { id: null, label: '系统（夜间用电检测）' };
export const AFTER_IMPORT: Actor = { id: null, label: '系统（导入读数后检测）' };

export interface DetectionResult {
  flags: { inserted: number; updated: number };
  /** Findings of the pass, including those already flagged or already decided. */
  found: number;
  meters: number;
  rows: number;
  ms: number;
}

const running = new WeakMap<Db, Promise<unknown>>();

/**
 * A detection pass over the township's readings (every township's, one after another, when none is given):
 * each enabled rule on the meters it watches, findings written as flags (flag-store.ts), the run recorded in the
 * audit log for the runs list. Passes on one database run one at a time; a pass gives the event loop back every
 * ~10 ms, so requests are served while it runs.
 */
export function runDetection(
  db: Db,
  opts: { townshipId?: number; now: Date; actor?: Actor },
): Promise<DetectionResult> {
  const before = running.get(db) ?? Promise.resolve();
  const pass = before.catch(() => undefined).then(() => detectAll(db, opts));
  running.set(db, pass);
  return pass;
}

async function detectAll(db: Db, opts: { townshipId?: number; now: Date; actor?: Actor }) {
  const ids =
    opts.townshipId === undefined
      ? (db.$client.prepare('select id from townships order by id').pluck().all() as number[])
      : [opts.townshipId];
  const total: DetectionResult = { flags: { inserted: 0, updated: 0 }, found: 0, meters: 0, rows: 0, ms: 0 };
  for (const townshipId of ids) {
    const r = await detectTownship(db, townshipId, opts.now);
    audit(
      db,
      opts.actor ?? NIGHTLY,
      {
        action: 'watch.run',
        objectType: 'watch_run',
        objectId: townshipId,
        details: { ...r.flags, found: r.found, meters: r.meters, rows: r.rows, ms: r.ms },
      },
      opts.now,
    );
    total.flags.inserted += r.flags.inserted;
    total.flags.updated += r.flags.updated;
    total.found += r.found;
    total.meters += r.meters;
    total.rows += r.rows;
    total.ms += r.ms;
  }
  return total;
}

async function detectTownship(db: Db, townshipId: number, now: Date): Promise<DetectionResult> {
  const started = performance.now();
  // A day is judged once it is over: the current Beijing day's readings, if any, are partial.
  const today = dayOf(now);
  const lastDay = today - 1;
  const settings = loadRuleParams(db);
  const from = (rule: WatchRule) => lastDay - settings[rule].params.lookbackDays + 1;
  const reader = new DailyReader(db);
  const curve = db.$client.prepare(
    `select minute, minutes, kwh from meter_intervals where meter_id = ? and minute between ? and ?
    order by minute`,
  );
  const curveOf = (id: number, fromDay: number) =>
    curve.all(id, minuteOf(startOfDay(fromDay)), minuteOf(startOfDay(today + 1)) - 1) as IntervalPoint[];
  const found: FoundFlag[] = [];
  const add = (meter: WatchedMeter, rule: WatchRule, findings: Finding[]) => {
    const gapDays = settings[rule].params.gapDays;
    for (const finding of findings) found.push({ meter, rule, finding, gapDays });
  };
  const houses = new Houses(settings.house_factory.params);
  const pause = pacer();
  let rows = 0;
  let meters = 0;
  for await (const meter of watchedMeters(db, townshipId)) {
    const rules = rulesFor(meter, settings);
    if (!rules.length) continue;
    meters++;
    const n = reader.read(meter.id, Math.min(...rules.map(from)), lastDay);
    rows += n;
    const since = (rule: WatchRule) => reader.points(n, from(rule));
    for (const rule of rules)
      if (rule === 'cut_meter_use')
        add(meter, rule, cutMeterUse(since(rule), meter.cutDay as number, settings[rule].params));
      else if (rule === 'jump_after_closure')
        add(meter, rule, jumpAfterClosure(since(rule), meter.closureDay as number, settings[rule].params));
      else if (rule === 'night_use') add(meter, rule, nightUse(curveOf(meter.id, from(rule)), settings[rule].params));
      else houses.add(meter, reader, n, from(rule));
    await pause();
  }
  for (const { meter, series, villageMedian } of houses.candidates()) {
    const ratios = daytimeBaseRatios(curveOf(meter.id, from('house_factory')));
    add(meter, 'house_factory', houseFactory(series, villageMedian, ratios, settings.house_factory.params));
    await pause();
  }
  const flags = { inserted: 0, updated: 0 };
  for (let i = 0; i < found.length; i += WRITE_BATCH) {
    await nextTurn();
    const r = storeFindings(db, found.slice(i, i + WRITE_BATCH), now);
    flags.inserted += r.inserted;
    flags.updated += r.updated;
  }
  return { flags, found: found.length, meters, rows, ms: Math.round(performance.now() - started) };
}

/** Gives the event loop back once SLICE_MS passed since it last did. */
function pacer() {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await nextTurn();
    since = performance.now();
  };
}

/** Which enabled rules watch a meter (decision 022). */
export function rulesFor(m: WatchedMeter, settings: RuleSettings): WatchRule[] {
  const out: WatchRule[] = [];
  const on = (rule: WatchRule, applies: boolean) => settings[rule].enabled && applies && out.push(rule);
  on('cut_meter_use', m.cutDay !== null);
  on('night_use', m.enterpriseStatus === 'in_progress' || m.closureDay !== null);
  on('jump_after_closure', m.closureDay !== null);
  on('house_factory', m.tariff === 'residential' && (m.enterpriseId === null || m.enterpriseStatus === 'done'));
  return out;
}

/**
 * Rule 4's village medians are known only once every house was read: each house's mean daily use goes to its
 * village, and only the series of houses that could pass the rule's absolute floor are kept until then.
 */
class Houses {
  private readonly means = new Map<number, number[]>();
  private readonly all: number[] = [];
  private readonly kept: { meter: WatchedMeter; series: DailyPoint[] }[] = [];
  private readonly p: RuleParams['house_factory'];
  constructor(p: RuleParams['house_factory']) {
    this.p = p;
  }

  add(meter: WatchedMeter, r: DailyReader, n: number, fromDay: number) {
    let first = 0;
    while (first < n && (r.days[first] as number) < fromDay) first++;
    if (first === n) return;
    let sum = 0;
    for (let i = first; i < n; i++) sum += r.kwh[i] as number;
    const mean = sum / (n - first);
    const list = this.means.get(meter.villageId) ?? [];
    list.push(mean);
    this.means.set(meter.villageId, list);
    this.all.push(mean);
    const days = r.days.subarray(first, n);
    if (maxWindowMean(days, r.kwh.subarray(first, n), n - first, this.p.windowDays) >= this.p.minDailyKwh)
      this.kept.push({ meter, series: r.points(n, fromDay) });
  }

  candidates() {
    const township = median(this.all);
    const byVillage = new Map<number, number>();
    for (const [village, list] of this.means)
      byVillage.set(village, list.length >= this.p.minVillageMeters ? median(list) : township);
    return this.kept.map((h) => ({ ...h, villageMedian: byVillage.get(h.meter.villageId) ?? township }));
  }
}
