import type { EnterpriseStatus, RemediationType } from '../../../db/schema-enforcement.ts';
import type { FlagStatus } from '../../../db/schema-watch.ts';
import { DAY_MS } from '../shared/time.ts';

/**
 * The relapse-risk score of a file (issue 15): how likely a workshop is to be working again, as points in four
 * parts, each shown beside the score so staff can see why a file is high on the night-patrol plan.
 *
 * - 整治情况 (closure): what was done to the file. A shutdown whose 断电 was not proven is the likeliest to
 *   restart (the power is still there); with 断电 proven any use shows on the meter, so a little lower; a
 *   relocation leaves an empty building that the next workshop takes (回头看 type 3); a file under 整治 may
 *   work at night to dodge it; a listed one is known but not yet visited; a rectified one operates legally.
 * - 销号时间 (recency): a shutdown or relocation counts more the more recently it closed, halving every
 *   `recencyHalfLifeDays`: the owner's machines, workers and customers are still near in the first months.
 * - 用电预警 (flags): each open or confirmed power flag of the file's meters whose last day is within
 *   `flagWindowDays`, by how far past its threshold it was (strength, capped), a confirmed one weighing more.
 * - 周边举报 (complaints): reports filed within `complaintRadiusM` of the file, or linked to it, in the last
 *   `complaintWindowDays`, rejected and merged ones left out.
 *
 * The numbers are constants here rather than settings: a county that wants others changes them in one place and the
 * page shows them. A plan stores every candidate's parts, so a later change never moves an old plan.
 */
export const RISK_WEIGHTS = {
  closure: {
    shutdown_power_on: 40,
    shutdown_power_cut: 30,
    relocated: 25,
    in_progress: 20,
    listed: 15,
    rectified: 5,
  },
  recencyMax: 20,
  recencyHalfLifeDays: 180,
  flagOpen: 10,
  flagConfirmed: 15,
  flagStrengthCap: 3,
  flagsMax: 60,
  flagWindowDays: 180,
  perComplaint: 8,
  complaintsMax: 40,
  complaintRadiusM: 300,
  complaintWindowDays: 90,
} as const;

export type ClosureKind = keyof typeof RISK_WEIGHTS.closure;

export const CLOSURE_LABELS: Record<ClosureKind, string> = {
  shutdown_power_on: '关停取缔（断电未核实）',
  shutdown_power_cut: '关停取缔（断电已核实）',
  relocated: '搬迁入园',
  in_progress: '整治中',
  listed: '待整治',
  rectified: '整改提升（已完成）',
};

export const RISK_PART_LABELS = {
  closure: '整治情况',
  recency: '销号时间',
  flags: '用电预警',
  complaints: '周边举报',
} as const;
export type RiskPart = keyof typeof RISK_PART_LABELS;
export type RiskParts = Record<RiskPart, number>;

/** What the score is computed from, for one file. */
export interface RiskFacts {
  enterpriseId: number;
  status: EnterpriseStatus;
  /** The type of the file's last accepted task, else the file's own. */
  closureType: RemediationType | null;
  /** When its last task was accepted (ms), if one was. */
  closedAt: number | null;
  /** 断电 (or 断开工业用电) done with photos in that accepted task. */
  powerCutProven: boolean;
  /** Its open and confirmed flags within the window. */
  flags: { status: Exclude<FlagStatus, 'dismissed'>; strength: number }[];
  /** Reports near it or linked to it within the window. */
  complaints: number;
}

export interface RiskScore {
  enterpriseId: number;
  score: number;
  parts: RiskParts;
}

export function closureKind(f: Pick<RiskFacts, 'status' | 'closureType' | 'powerCutProven'>): ClosureKind {
  if (f.status === 'listed') return 'listed';
  if (f.status === 'in_progress') return 'in_progress';
  if (f.closureType === 'shutdown') return f.powerCutProven ? 'shutdown_power_cut' : 'shutdown_power_on';
  if (f.closureType === 'relocate') return 'relocated';
  return 'rectified';
}

const tenth = (n: number) => Math.round(n * 10) / 10;

/** Whole days since closure, for the page. */
export const daysSince = (at: number, now: number) => Math.max(0, Math.floor((now - at) / DAY_MS));

export function riskScore(f: RiskFacts, now: number): RiskScore {
  const w = RISK_WEIGHTS;
  const kind = closureKind(f);
  const recent = (kind === 'shutdown_power_on' || kind === 'shutdown_power_cut' || kind === 'relocated') && f.closedAt;
  const days = recent ? Math.max(0, (now - f.closedAt!) / DAY_MS) : 0;
  const flagPoints = f.flags.reduce(
    (sum, g) =>
      sum + (g.status === 'confirmed' ? w.flagConfirmed : w.flagOpen) * Math.min(g.strength, w.flagStrengthCap),
    0,
  );
  const parts: RiskParts = {
    closure: w.closure[kind],
    recency: recent ? tenth(w.recencyMax * 0.5 ** (days / w.recencyHalfLifeDays)) : 0,
    flags: tenth(Math.min(flagPoints, w.flagsMax)),
    complaints: Math.min(f.complaints * w.perComplaint, w.complaintsMax),
  };
  const score = tenth(parts.closure + parts.recency + parts.flags + parts.complaints);
  return { enterpriseId: f.enterpriseId, score, parts };
}

/** Highest score first; equal scores by file number, so the order never depends on how rows came. */
export const byRisk = (a: { score: number; enterpriseId: number }, b: { score: number; enterpriseId: number }) =>
  b.score - a.score || a.enterpriseId - b.enterpriseId;
