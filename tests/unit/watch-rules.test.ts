import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RULE_DEFAULTS } from '../../api/domain/watch/rule-params.ts';
import { cutMeterUse } from '../../api/domain/watch/rules/cut-meter-use.ts';
import { median } from '../../api/domain/watch/rules/episodes.ts';
import {
  daytimeBaseRatios,
  houseFactory,
  maxWindowMean,
  meanDaily,
} from '../../api/domain/watch/rules/house-factory.ts';
import { jumpAfterClosure } from '../../api/domain/watch/rules/jump-after-closure.ts';
import { nightUse } from '../../api/domain/watch/rules/night-use.ts';
import { curves, daily, dayShift, home, homeCurve, workshop } from '../helpers/power-series.ts';

const D0 = 20_000; // 2024-10-04
const cut = RULE_DEFAULTS.cut_meter_use;
const night = RULE_DEFAULTS.night_use;
const jump = RULE_DEFAULTS.jump_after_closure;
const house = RULE_DEFAULTS.house_factory;

describe('rule 1: use after a proven 断电', () => {
  const C = D0 + 10;
  it('finds a restart on day N, not the use before the cut or the meter error after it', () => {
    const s = daily(D0, 120, (d, r) => (d <= C ? 40 : d < C + 40 ? 0.8 * r() : 30 + 5 * r()));
    const [f, ...more] = cutMeterUse(s, C, cut);
    expect(more).toEqual([]);
    expect(f).toMatchObject({ firstDay: C + 40, lastDay: D0 + 119 });
    expect(f?.evidence).toMatchObject({ cutDay: C, threshold: 1, daysUsed: 70 });
    expect(f?.strength).toBeGreaterThan(30);
  });

  it('ignores the cut day and the grace days after it (the reading lags the cut)', () => {
    const s = daily(D0, 40, (d) => (d <= C + cut.graceDays ? 20 : 0));
    expect(cutMeterUse(s, C, cut)).toEqual([]);
  });

  it('needs minDays days of use, and splits episodes a long silence apart', () => {
    const on = (d: number) => (d >= C + 10 && d < C + 12) || (d >= C + 20 && d < C + 25) || d >= C + 60;
    const s = daily(D0, 100, (d) => (on(d) ? 12 : 0));
    const found = cutMeterUse(s, C, cut);
    expect(found.map((f) => [f.firstDay, f.lastDay])).toEqual([
      [C + 20, C + 24],
      [C + 60, D0 + 99],
    ]);
  });

  it('finds any restart on its first day (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: C + 3, max: D0 + 117 }),
        fc.double({ min: 1, max: 200, noNaN: true }),
        (n, level) => {
          const s = daily(D0, 120, (d) => (d < n ? 0.3 : level));
          expect(cutMeterUse(s, C, cut).map((f) => f.firstDay)).toEqual([n]);
        },
      ),
    );
  });

  it('never flags a cut meter reading under minKwh, however noisy (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (seed, top) => {
        expect(
          cutMeterUse(
            daily(D0, 200, (_d, r) => top * r(), seed),
            C,
            cut,
          ),
        ).toEqual([]);
      }),
    );
  });
});

describe('rule 2: night use above 1.5 × day use', () => {
  it('does not flag a workshop working by day, nor a home', () => {
    expect(nightUse(curves(D0, 30, dayShift(5)), night)).toEqual([]);
    expect(nightUse(curves(D0, 30, homeCurve), night)).toEqual([]);
  });

  it('finds a shift to nights from the first night, on 15-minute and on hourly curves', () => {
    const N = D0 + 12;
    const shifted = (hour: number, day: number, r: () => number) =>
      day < N ? dayShift(5)(hour, day, r) : (hour >= 22 || hour < 6 ? 6 : 0.5) * (0.9 + 0.2 * r());
    for (const minutes of [15, 60] as const) {
      const [f, ...more] = nightUse(curves(D0, 30, shifted, minutes), night);
      expect(more).toEqual([]);
      // The last day has no following night read.
      expect(f).toMatchObject({ firstDay: N, lastDay: D0 + 28 });
      expect(f?.evidence.medianRatio).toBeGreaterThan(8);
      expect(f?.evidence).toMatchObject({ threshold: 1.5, nights: 17 });
    }
  });

  it('does not judge a night whose curve is mostly missing', () => {
    const nights = curves(D0, 10, (h) => (h >= 22 || h < 6 ? 6 : 0.2)).filter((iv) => iv.minute % 60 === 0);
    expect(nightUse(nights, night)).toEqual([]);
  });

  it('never flags a night under minNightKwh, whatever the ratio (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 0.6, noNaN: true }), (seed, kw) => {
        const s = curves(D0, 14, (h, _d, r) => (h >= 22 || h < 6 ? kw : 0.01) * r(), 60, seed);
        expect(nightUse(s, night)).toEqual([]);
      }),
    );
  });
});

describe('rule 3: a jump against the meter’s own baseline after closure', () => {
  const C = D0 + 5;
  it('finds a restart on day N against a quiet baseline', () => {
    const N = C + 50;
    const s = daily(D0, 150, (d, r) => (d <= C ? 60 : d < N ? 0.5 + 0.4 * r() : 25 * (0.8 + 0.4 * r())));
    const [f, ...more] = jumpAfterClosure(s, C, jump);
    expect(more).toEqual([]);
    expect(f).toMatchObject({ firstDay: N, lastDay: D0 + 149 });
    expect(f?.evidence.baselineMedian).toBeLessThan(1);
    expect(f?.evidence.threshold).toBeCloseTo((f?.evidence.baselineMedian as number) + 3, 1);
  });

  it('never flags a family living there, noisy and with single days of heavy use', () => {
    const s = daily(D0, 365, (d, r) => (d <= C ? 60 : d % 17 === 0 ? 30 : 8 * (0.6 + 0.8 * r())), 7);
    expect(jumpAfterClosure(s, C, jump)).toEqual([]);
  });

  it('finds any large enough restart on its first day (property)', () => {
    const first = C + jump.graceDays + jump.minBaselineDays + 1;
    fc.assert(
      fc.property(
        fc.integer({ min: first, max: D0 + 150 - jump.minRunDays }),
        fc.double({ min: 0, max: 12, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        (n, quiet, noise, seed) => {
          const level = 2 * quiet + jump.floorKwh + 1;
          const s = daily(D0, 150, (d, r) => (d < n ? quiet * (1 + noise * (2 * r() - 1)) : level), seed);
          expect(jumpAfterClosure(s, C, jump).map((f) => f.firstDay)).toEqual([n]);
        },
      ),
    );
  });

  it('never flags spikes shorter than minRunDays (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 10, noNaN: true }), (seed, quiet) => {
        // Two spike days at most, then an ordinary one.
        const s = daily(D0, 200, (d, r) => (d % 3 !== 0 && r() < 0.5 ? quiet + 50 : quiet), seed);
        expect(jumpAfterClosure(s, C, jump)).toEqual([]);
      }),
    );
  });

  it('keeps a finding’s first day when more days are read (what keeps flags idempotent)', () => {
    const N = C + 40;
    const s = daily(D0, 120, (d, r) => (d < N ? 2 * r() : 20 + 10 * r()));
    for (const end of [N + 3, N + 10, N + 60])
      expect(
        jumpAfterClosure(
          s.filter((p) => p.day < end),
          C,
          jump,
        )[0]?.firstDay,
      ).toBe(N);
  });
});

describe('rule 4: a residential meter with a factory-like curve', () => {
  const homes = Array.from({ length: 30 }, (_, i) => daily(D0, 180, home(0.7 + i / 30), i + 1));
  const villageMedian = median(homes.map(meanDaily));

  it('never flags the village’s homes', () => {
    for (const s of homes) expect(houseFactory(s, villageMedian, undefined, house)).toEqual([]);
  });

  it('finds the house that becomes a six-day workshop on day N, within a window of N', () => {
    const N = D0 + 90;
    const s = daily(D0, 180, (d, r) => (d < N ? home()(d, r) : workshop(45)(d, r)));
    const [f, ...more] = houseFactory(s, villageMedian, undefined, house);
    expect(more).toEqual([]);
    expect(f?.firstDay).toBeGreaterThanOrEqual(N);
    expect(f?.firstDay).toBeLessThan(N + house.windowDays);
    expect(f?.evidence.weekdayRatio).toBeGreaterThan(house.weekdayRatio);
    expect(f?.evidence.daytimeBaseRatio).toBeNull();
  });

  it('does not flag a big family or electric heating (high, but shaped like a home), with or without curves', () => {
    const s = daily(D0, 180, home(4), 3);
    const ratios = daytimeBaseRatios(curves(D0, 180, (h, d, r) => 4 * homeCurve(h, d, r)));
    const [days, kwh] = [s.map((p) => p.day), s.map((p) => p.kwh)];
    expect(maxWindowMean(days, kwh, s.length, house.windowDays)).toBeGreaterThan(3 * villageMedian);
    expect(houseFactory(s, villageMedian, undefined, house)).toEqual([]);
    expect(houseFactory(s, villageMedian, ratios, house)).toEqual([]);
  });

  it('finds a seven-day workshop by its daytime base load, which only curves show', () => {
    const s = daily(D0, 60, (_d, r) => 55 + 5 * r());
    const ratios = daytimeBaseRatios(curves(D0, 60, dayShift(5)));
    expect(houseFactory(s, villageMedian, undefined, house)).toEqual([]);
    const [f] = houseFactory(s, villageMedian, ratios, house);
    expect(f?.evidence.daytimeBaseRatio).toBeGreaterThan(2);
    // The first window read on three quarters of its days.
    expect(f?.firstDay).toBe(D0 + Math.ceil(house.windowDays * 0.75) - 1);
  });

  it('never flags a home, however noisy or big its family, without a workplace’s shape (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0.3, max: 6, noNaN: true }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        (seed, scale, noise) => {
          const s = daily(D0, 120, home(scale, noise), seed);
          const ratios = daytimeBaseRatios(curves(D0, 14, (h, d, r) => scale * homeCurve(h, d, r), 60, seed));
          expect(houseFactory(s, villageMedian, ratios, house)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
