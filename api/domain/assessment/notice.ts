import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { townships } from '../../../db/schema.ts';
import type { AssessedLevel } from '../../../db/schema-county.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import type { TableColumn } from '../enforcement/tables/progress.ts';
import { reportWorkbook } from '../enforcement/tables/xlsx.ts';
import { fail, type Result } from '../shared/result.ts';
import { fmtTime } from '../shared/time.ts';
import { LEVEL_LABELS, MEASURES, penaltyText } from './labels.ts';
import type { AssessmentPeriod } from './periods.ts';
import { type IndicatorScore, scorecards, type Scorecards, type UnitCard } from './scorecards.ts';

/** 通报 (seeds 002, 004): the ranking, the best praised, the lowest-ranked named for 通报批评 and 限期整改. */
export interface AssessmentNotice extends Scorecards {
  title: string;
  /** Who issues it: the county's office, or the township's for its villages and 站所. */
  issuer: string;
  paragraphs: string[];
  /** The units ranked last (several when tied); none with fewer than two ranked. */
  lowest: UnitCard[];
  best: UnitCard[];
}

export const fmtScore = (n: number | null) => (n === null ? '—' : n.toFixed(1));
/** An indicator's value as the tables print it: 92.5%, 3 件, or — without data. */
export function valueText(s: Pick<IndicatorScore, 'measure' | 'value'>): string {
  if (s.value === null) return '—';
  const m = MEASURES[s.measure];
  return m.kind === 'rate' ? `${(s.value * 100).toFixed(1)}%` : `${s.value} ${m.unit}`;
}

const names = (units: UnitCard[]) => units.map((u) => u.name).join('、');

export function assessmentNotice(
  db: Db,
  user: StaffUser,
  q: { level: AssessedLevel; period: AssessmentPeriod },
  now: Date,
): Result<AssessmentNotice> {
  const cards = scorecards(db, user, q, now);
  if (!cards.ok) return cards;
  if (cards.place) return fail(403, '本账号只能查看本单位的考核，不能印发通报');
  const township =
    user.townshipId == null ? null : db.select().from(townships).where(eq(townships.id, user.townshipId)).get();
  const county = db.select({ county: townships.county }).from(townships).limit(1).get()?.county ?? '';
  const issuer = township ? `${township.name}“散乱污”整治办公室` : `${county}“散乱污”整治工作领导小组办公室`;
  const what = LEVEL_LABELS[q.level];
  const rankedUnits = cards.units.filter((u) => u.rank !== null);
  const last = rankedUnits.at(-1)?.rank;
  const lowest = rankedUnits.length >= 2 ? rankedUnits.filter((u) => u.rank === last) : [];
  const best = rankedUnits.length >= 2 ? rankedUnits.filter((u) => u.rank === 1 && u.rank !== last) : [];
  const active = cards.indicators.filter((i) => i.active && i.weight > 0);
  const paragraphs = [
    `根据“散乱污”整治工作量化考核办法，${issuer}依据系统记录，对各${what}${q.period.label}的整治工作进行了量化考核，` +
      `考核指标为${active.map((i) => `${i.name}（权重 ${i.weight}）`).join('、')}。现将考核结果通报如下：`,
    rankedUnits.length
      ? `参加排名的${what}共 ${rankedUnits.length} 个。` +
        (best.length ? `${names(best)}得分最高（${fmtScore(best[0]!.total)} 分），予以通报表扬。` : '')
      : `本考核期内各${what}均无可考核的记录，不排名。`,
    lowest.length
      ? `${names(lowest)}排名末位（${fmtScore(lowest[0]!.total)} 分），予以通报批评。其主要负责人要写出书面说明，` +
        '并按照通报要求，限期整改。'
      : '',
    cards.units.length > rankedUnits.length
      ? `${names(cards.units.filter((u) => u.rank === null))}本考核期内无可考核的记录，不参加排名。`
      : '',
  ].filter(Boolean);
  return {
    ...cards,
    title: `关于${q.period.label}“散乱污”整治工作${what}量化考核情况的通报`,
    issuer,
    paragraphs,
    lowest,
    best,
  };
}

/** The notice as .xlsx in the seeds' layout (a titled, bordered table per sheet), built on the read thread. */
export async function noticeWorkbook(n: AssessmentNotice, now: Date) {
  const active = n.indicators.filter((i) => i.active);
  const columns: TableColumn[] = [
    { header: '排名', width: 6 },
    { header: LEVEL_LABELS[n.level], width: 16 },
    ...active.flatMap((i): TableColumn[] => [
      { header: '实绩', group: `${i.name}（${i.weight}）`, width: 9 },
      { header: '得分', group: `${i.name}（${i.weight}）`, width: 7 },
    ]),
    { header: '总分', width: 8 },
  ];
  const rows = n.units.map((u) => [
    u.rank ?? '不排名',
    u.name,
    ...u.indicators.filter((i) => i.active).flatMap((i) => [valueText(i), fmtScore(i.score)]),
    fmtScore(u.total),
  ]);
  const bytes = await reportWorkbook([
    {
      sheetName: '考核排名',
      title: n.title,
      subtitle: `${n.issuer}　　考核期：${n.period.label}　　制表时间：${fmtTime(now)}　　${n.paragraphs.slice(1).join('')}`,
      columns,
      rows,
    },
    {
      sheetName: '计分办法',
      title: `${LEVEL_LABELS[n.level]}考核指标与计分办法`,
      subtitle:
        '比率类指标得其百分数；计数类指标得 100 减每件扣分乘件数（不低于 0）；总分为有数据的计分指标按权重的加权平均。',
      columns: [
        { header: '指标', width: 16 },
        { header: '权重', width: 7 },
        { header: '扣分', width: 12 },
        { header: '口径', width: 70 },
      ],
      rows: n.indicators.map((i) => [
        `${i.name}${i.active ? '' : '（不计分）'}`,
        i.weight,
        penaltyText(i.measure, i.penalty),
        MEASURES[i.measure].rule,
      ]),
    },
  ]);
  return { bytes, filename: `${n.title}.xlsx`, fallback: `assessment-notice-${n.level}-${n.period.key}.xlsx` };
}

/** The export is audited on the HTTP thread (the read thread's connection writes nothing). */
export function auditNoticeExport(db: Db, user: StaffUser, n: AssessmentNotice, now: Date) {
  audit(
    db,
    { id: user.id, label: user.displayName },
    {
      action: 'assessment.notice_export',
      objectType: 'export',
      objectId: 'assessment-notice',
      details: { level: n.level, period: n.period.key, units: n.units.length, lowest: n.lowest.map((u) => u.name) },
    },
    now,
  );
}
