import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { villages } from '../../../db/schema.ts';
import { enterprises, type EnterpriseStatus } from '../../../db/schema-enforcement.ts';
import { enterpriseFigures, registerEntries, type EvaluationIndicator } from '../../../db/schema-watch.ts';
import {
  loadSettings,
  type EvaluationClass,
  type EvaluationSettings,
  type IndicatorKey,
} from './evaluation-settings.ts';

/** The year evaluated when none is asked for: last year (Beijing), whose figures the departments have by now. */
export const defaultYear = (now: Date) => new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear() - 1;

/** 1 亩 = 10,000 / 15 m². */
export const MU_PER_M2 = 0.0015;
/** A register status that means the firm no longer legally exists. */
const DEAD_STATUS = /吊销|注销|撤销/;

export interface EvaluationInput {
  taxWan: number | null;
  outputWan: number | null;
  energyTce: number | null;
  landMu: number | null;
  employees: number | null;
}
export type IndicatorValues = Record<IndicatorKey, number | null>;

const ratio = (a: number | null, b: number | null) => (a === null || b === null || b <= 0 ? null : a / b);
const round2 = (x: number) => Math.round(x * 100) / 100;

export function indicatorValues(f: EvaluationInput): IndicatorValues {
  return {
    tax_per_mu: ratio(f.taxWan, f.landMu),
    output_per_mu: ratio(f.outputWan, f.landMu),
    energy_per_output: ratio(f.energyTce, f.outputWan),
    output_per_employee: ratio(f.outputWan, f.employees),
  };
}

/**
 * One indicator's marks, to 0.01: weight × value / benchmark, at most the weight; energy per output the other way,
 * weight × (1 − value / benchmark), nothing at or past its benchmark. A figure missing scores nothing: a firm is not
 * given credit for data it did not report.
 */
export function indicatorScore(ind: EvaluationIndicator, value: number | null): number {
  if (value === null) return 0;
  const share = ind.key === 'energy_per_output' ? 1 - value / ind.benchmark : value / ind.benchmark;
  return round2(ind.weight * Math.min(1, Math.max(0, share)));
}

export function classOf(total: number, cuts: EvaluationSettings['classCuts']): EvaluationClass {
  return total >= cuts.A ? 'A' : total >= cuts.B ? 'B' : total >= cuts.C ? 'C' : 'D';
}

export function scoreOf(values: IndicatorValues, settings: Pick<EvaluationSettings, 'indicators' | 'classCuts'>) {
  const parts = Object.fromEntries(settings.indicators.map((i) => [i.key, indicatorScore(i, values[i.key])]));
  const total = round2(Object.values(parts).reduce((a, b) => a + b, 0));
  return { parts: parts as Record<IndicatorKey, number>, total, class: classOf(total, settings.classCuts) };
}

/**
 * 僵尸 (a zombie firm), the rule this product uses: a file not yet remediated (listed or in progress) whose firm a
 * register says is 吊销, 注销 or 撤销, or whose figures for the year give tax or output and show neither (0 or blank).
 * A file without figures for the year is not called a zombie: no data is not proof of no business.
 */
export function zombieReason(
  status: EnterpriseStatus,
  registerStatus: string | null,
  f: EvaluationInput | null,
): string | null {
  if (status === 'done') return null;
  if (registerStatus && DEAD_STATUS.test(registerStatus)) return `登记状态：${registerStatus}`;
  // Figures come one department at a time: a year with only land or energy says nothing of tax and output yet.
  const known = f && (f.taxWan != null || f.outputWan != null);
  if (known && !f.taxWan && !f.outputWan) return '当年无税收、无产值';
  return null;
}

export interface EvaluationRow {
  enterpriseId: number;
  name: string;
  village: string;
  status: EnterpriseStatus;
  figures: EvaluationInput;
  /** Null when the file has no land area, in the figures or on the file. */
  values: IndicatorValues | null;
  score: ReturnType<typeof scoreOf> | null;
  zombie: string | null;
}

export interface Evaluation {
  settings: EvaluationSettings;
  /** Files with figures for the year, by score, highest first; those without land last. */
  rows: EvaluationRow[];
  /** D-class and 僵尸 files not yet remediated, lowest score first. */
  remediation: EvaluationRow[];
  counts: Record<EvaluationClass, number> & { unscored: number; zombies: number };
}

/** The township's 亩产效益 for a year, from the figures imported and the files' own land area. */
export function evaluate(db: Db, townshipId: number, year: number): Evaluation {
  const settings = loadSettings(db, year);
  const files = db
    .select({
      enterpriseId: enterprises.id,
      name: enterprises.name,
      village: villages.name,
      status: enterprises.status,
      landArea: enterprises.landArea,
      taxWan: enterpriseFigures.taxWan,
      outputWan: enterpriseFigures.outputWan,
      energyTce: enterpriseFigures.energyTce,
      landMu: enterpriseFigures.landMu,
      employees: enterpriseFigures.employees,
    })
    .from(enterpriseFigures)
    .innerJoin(enterprises, eq(enterprises.id, enterpriseFigures.enterpriseId))
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .where(and(eq(enterprises.townshipId, townshipId), eq(enterpriseFigures.year, year)))
    .orderBy(asc(enterprises.id))
    .all();
  const dead = deadRegisterStatus(db, townshipId);
  const rows: EvaluationRow[] = files.map((f) => {
    const landMu = f.landMu ?? (f.landArea ? f.landArea * MU_PER_M2 : null);
    const figures = {
      taxWan: f.taxWan,
      outputWan: f.outputWan,
      energyTce: f.energyTce,
      landMu,
      employees: f.employees,
    };
    const values = landMu ? indicatorValues(figures) : null;
    return {
      enterpriseId: f.enterpriseId,
      name: f.name,
      village: f.village,
      status: f.status,
      figures,
      values,
      score: values ? scoreOf(values, settings) : null,
      zombie: zombieReason(f.status, dead.get(f.enterpriseId) ?? null, figures),
    };
  });
  // A zombie by its register may have no figures at all: it is listed for remediation all the same.
  const figured = new Set(rows.map((r) => r.enterpriseId));
  for (const z of zombiesWithoutFigures(db, townshipId, dead, figured)) rows.push(z);
  rows.sort((a, b) => (b.score?.total ?? -1) - (a.score?.total ?? -1) || a.enterpriseId - b.enterpriseId);
  const counts = { A: 0, B: 0, C: 0, D: 0, unscored: 0, zombies: 0 };
  for (const r of rows) {
    if (r.score) counts[r.score.class]++;
    else counts.unscored++;
    if (r.zombie) counts.zombies++;
  }
  const remediation = rows
    .filter((r) => r.status !== 'done' && (r.zombie || r.score?.class === 'D'))
    .sort((a, b) => (a.score?.total ?? -1) - (b.score?.total ?? -1) || a.enterpriseId - b.enterpriseId);
  return { settings, rows, remediation, counts };
}

/** Each file's dead register status (吊销/注销/撤销), if any register matched to it says so. */
function deadRegisterStatus(db: Db, townshipId: number): Map<number, string> {
  const out = new Map<number, string>();
  const entries = db
    .select({ enterpriseId: registerEntries.enterpriseId, status: registerEntries.registerStatus })
    .from(registerEntries)
    .where(and(eq(registerEntries.townshipId, townshipId), isNotNull(registerEntries.enterpriseId)))
    .all();
  for (const e of entries) if (DEAD_STATUS.test(e.status)) out.set(e.enterpriseId!, e.status);
  return out;
}

function zombiesWithoutFigures(db: Db, townshipId: number, dead: Map<number, string>, figured: Set<number>) {
  const ids = [...dead.keys()].filter((id) => !figured.has(id));
  if (ids.length === 0) return [];
  return db
    .select({ id: enterprises.id, name: enterprises.name, village: villages.name, status: enterprises.status })
    .from(enterprises)
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .where(and(eq(enterprises.townshipId, townshipId), inArray(enterprises.id, ids)))
    .all()
    .flatMap((f): EvaluationRow[] => {
      const zombie = zombieReason(f.status, dead.get(f.id)!, null);
      const figures = { taxWan: null, outputWan: null, energyTce: null, landMu: null, employees: null };
      return zombie
        ? [
            {
              enterpriseId: f.id,
              name: f.name,
              village: f.village,
              status: f.status,
              figures,
              values: null,
              score: null,
              zombie,
            },
          ]
        : [];
    });
}
