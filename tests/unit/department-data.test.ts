import { describe, expect, it } from 'vitest';
import {
  creditCodeChecks,
  normaliseCreditCode,
  normaliseName,
  normalisePhone,
} from '../../api/domain/department-data/names.ts';
import {
  DEFAULT_CUTS,
  DEFAULT_INDICATORS,
  settingsInput,
} from '../../api/domain/department-data/evaluation-settings.ts';
import { classOf, indicatorValues, scoreOf, zombieReason } from '../../api/domain/department-data/evaluation.ts';
import { parseFigure, readTable, type ColumnSpec } from '../../api/domain/department-data/table-columns.ts';

const DEFAULTS = { indicators: DEFAULT_INDICATORS, classCuts: DEFAULT_CUTS };

describe('names as registers and files write them', () => {
  it('folds a form of business, full-width brackets, spaces and punctuation', () => {
    expect(normaliseName('张三五金加工厂（个体工商户）')).toBe(normaliseName('张三五金加工厂'));
    expect(normaliseName('张三五金加工厂(个体)')).toBe(normaliseName('张三 五金加工厂'));
    expect(normaliseName('某某塑料有限责任公司')).toBe(normaliseName('某某塑料有限公司'));
    expect(normaliseName('某某·塑料股份有限公司')).toBe(normaliseName('某某塑料'));
    expect(normaliseName('ＡＢＣ模具厂')).toBe(normaliseName('abc模具厂'));
  });
  it('keeps what tells two firms apart: a place or former name in brackets, a branch', () => {
    expect(normaliseName('某某塑料有限公司（义乌）')).not.toBe(normaliseName('某某塑料有限公司'));
    expect(normaliseName('某某塑料有限公司分公司')).not.toBe(normaliseName('某某塑料有限公司'));
    expect(normaliseName('有限公司')).toBe('有限公司');
  });
  it('checks a credit code by GB 32100 (a real-format code, its check character changed)', () => {
    const code = '91330782MA28F3JX9B';
    const valid = [...'0123456789ABCDEFGHJKLMNPQRTUWXY'].map((c) => code.slice(0, 17) + c).filter(creditCodeChecks);
    expect(valid).toHaveLength(1);
    expect(creditCodeChecks(valid[0]!.toLowerCase())).toBe(false);
    expect(normaliseCreditCode(` ${valid[0]!.toLowerCase()} `)).toBe(valid[0]);
    expect(normaliseCreditCode('  ')).toBeNull();
  });
  it('reads a phone as digits without the country code', () => {
    expect(normalisePhone('+86 138-0000-1111')).toBe('13800001111');
    expect(normalisePhone('0086 13800001111')).toBe('13800001111');
    expect(normalisePhone('0579-8888 1234')).toBe('057988881234');
  });
});

describe('亩产效益 scores by hand (default weights 50/20/15/15, benchmarks 15, 300, 0.5, 50; cuts 80/60/40)', () => {
  const score = (f: Parameters<typeof indicatorValues>[0]) => scoreOf(indicatorValues(f), DEFAULTS);
  it('a middling workshop: 25 + 10 + 12 + 9 = 56, class C', () => {
    // 30 万 tax on 4 亩 = 7.5/亩 → 50 × 7.5/15 = 25; 600 万 / 4 = 150 → 20 × 150/300 = 10;
    // 60 tce / 600 万 = 0.1 → 15 × (1 − 0.1/0.5) = 12; 600 万 / 20 人 = 30 → 15 × 30/50 = 9.
    const s = score({ taxWan: 30, outputWan: 600, energyTce: 60, landMu: 4, employees: 20 });
    expect(s.parts).toEqual({ tax_per_mu: 25, output_per_mu: 10, energy_per_output: 12, output_per_employee: 9 });
    expect(s.total).toBe(56);
    expect(s.class).toBe('C');
  });
  it('marks stop at the weight: 50 + 20 + 13.5 + 15 = 98.5, class A', () => {
    const s = score({ taxWan: 80, outputWan: 1500, energyTce: 75, landMu: 5, employees: 25 });
    expect(s.parts).toEqual({ tax_per_mu: 50, output_per_mu: 20, energy_per_output: 13.5, output_per_employee: 15 });
    expect(s.class).toBe('A');
  });
  it('energy past its benchmark scores nothing, missing figures nothing: 0.67 + 0.67 + 0 + 3 = 4.34, class D', () => {
    expect(score({ taxWan: 2, outputWan: 100, energyTce: 60, landMu: 10, employees: 10 })).toMatchObject({
      total: 4.34,
      class: 'D',
    });
    const missing = score({ taxWan: 9, outputWan: 360, energyTce: null, landMu: 3, employees: null });
    expect(missing.parts).toEqual({ tax_per_mu: 10, output_per_mu: 8, energy_per_output: 0, output_per_employee: 0 });
  });
  it('classes at the cuts exactly: 80 is A, 79.99 is B, 40 is C, 39.99 is D', () => {
    // 15 万 on 1 亩 → 50; 225 万 → 20 × 225/300 = 15; no energy used → 15; no head count → 0: 80.
    expect(score({ taxWan: 15, outputWan: 225, energyTce: 0, landMu: 1, employees: null })).toMatchObject({
      total: 80,
      class: 'A',
    });
    expect([79.99, 60, 40, 39.99].map((t) => classOf(t, DEFAULT_CUTS))).toEqual(['B', 'B', 'C', 'D']);
  });
  it('僵尸: a dead register status or a year of no tax and no output, on a file not yet remediated', () => {
    const none = { taxWan: 0, outputWan: null, energyTce: null, landMu: 2, employees: 3 };
    expect(zombieReason('listed', '吊销，未注销', null)).toBe('登记状态：吊销，未注销');
    expect(zombieReason('in_progress', '存续', none)).toBe('当年无税收、无产值');
    expect(zombieReason('done', '注销', none)).toBeNull();
    expect(zombieReason('listed', '存续', null)).toBeNull(); // no figures is not proof of no business
    expect(zombieReason('listed', '在业', { ...none, taxWan: 0.5 })).toBeNull();
    // Only land or energy imported so far: tax and output are unknown, not zero.
    expect(zombieReason('listed', '存续', { ...none, taxWan: null, energyTce: 1.2 })).toBeNull();
  });
});

describe('the admin’s settings', () => {
  const valid = { version: 0, indicators: DEFAULT_INDICATORS, classCuts: DEFAULT_CUTS };
  it('take weights summing to 100 and cuts in order, and say what is wrong in Chinese', () => {
    expect(settingsInput.safeParse(valid).success).toBe(true);
    const msg = (v: unknown) => settingsInput.safeParse(v).error?.issues[0]?.message;
    expect(msg({ ...valid, indicators: DEFAULT_INDICATORS.map((i) => ({ ...i, weight: 30 })) })).toBe(
      '各项权重之和应为 100',
    );
    expect(msg({ ...valid, classCuts: { A: 60, B: 70, C: 40 } })).toBe('分数线应为 A 类 > B 类 > C 类');
    expect(msg({ ...valid, indicators: DEFAULT_INDICATORS.slice(1) })).toBe('须填写全部 4 项指标');
  });
});

describe('a department’s table', () => {
  type K = 'name' | 'tax';
  const specs: ColumnSpec<K>[] = [
    { key: 'name', label: '名称', names: ['名称', '企业名称'] },
    { key: 'tax', label: '税收', names: ['税收'], units: { 万元: 1, 元: 0.0001 } },
  ];
  const rows = (...lines: string[][]) => lines.map((cells, i) => ({ line: i + 1, cells }));
  it('finds the header under a title, converts a unit, keeps lines as the person sees them', async () => {
    const t = await readTable(rows(['某镇纳税清单'], ['税收（元）', '企业名称'], ['12,000', '甲厂']), specs, {
      all: ['name'],
    });
    expect(t.errorCount).toBe(0);
    expect(t.records).toEqual([
      { line: 3, values: { tax: '12,000', name: '甲厂' }, factors: { tax: 0.0001, name: 1 } },
    ]);
    expect(parseFigure('12,000', 0.0001)).toEqual({ value: 1.2 });
    expect(parseFigure('-3')).toEqual({ error: '“-3”不是数字（不能为负数）' });
  });
  it('refuses an unknown unit and a table without its header', async () => {
    const bad = await readTable(rows(['企业名称', '税收（美元）'], ['甲厂', '1']), specs, { all: ['name'] });
    expect(bad.errors).toEqual([{ line: 1, message: '“税收（美元）”的单位应为万元、元之一' }]);
    const none = await readTable(rows(['a'], ['b'], ['c'], ['d'], ['e'], ['f']), specs, { all: ['name'] });
    expect(none.errors[0]).toEqual({ line: 1, message: '前 5 行中没有找到表头：须有“名称”' });
  });
});
