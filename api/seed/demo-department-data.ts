import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { staffByUsername } from '../domain/accounts/sessions.ts';
import { defaultYear } from '../domain/department-data/evaluation.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { enterpriseFigures } from '../../db/schema-watch.ts';

/**
 * What other departments know of the demo's files, so 部门数据 has rows on first start: a credit code (统一社会信用代码,
 * a valid GB 32100 check character), who leases three workshops their premises (one landlord, written three ways),
 * and last year's figures (税收 and 产值 in 万元, 能耗 in 吨标准煤, 用地 in 亩): the licensed firm scores A, the small
 * workshops score D, and the pelletising workshop, with neither tax nor output, is a 僵尸.
 */
const FILES = [
  {
    name: '青溪金属制品有限公司',
    creditCode: '91330523MA2B3C4D5M',
    premises: 'owned',
    figures: { taxWan: 180, outputWan: 4200, energyTce: 1600, landMu: 12, employees: 65 },
  },
  {
    name: '王五家具加工作坊',
    premises: 'rented',
    landlord: '陈阿大',
    landlordPhone: '138 0571 2233',
    figures: { taxWan: 2.1, outputWan: 180, energyTce: 60, landMu: 1.5, employees: 8 },
  },
  {
    name: '张三塑料造粒作坊',
    premises: 'rented',
    landlord: '陈阿大',
    landlordPhone: '+86 13805712233',
    figures: { taxWan: 0, outputWan: 0, energyTce: null, landMu: 2, employees: null },
  },
  {
    name: '李四电镀作坊',
    premises: 'rented',
    landlord: '陈 阿大',
    landlordPhone: '',
    figures: { taxWan: 0.8, outputWan: 95, energyTce: 40, landMu: 1, employees: 5 },
  },
  {
    name: '赵六铸造作坊',
    premises: 'rented',
    landlord: '溪口村股份经济合作社',
    landlordPhone: '0571-8888 1234',
    figures: { taxWan: 1.5, outputWan: 260, energyTce: 210, landMu: 3, employees: 12 },
  },
] as const;

export function seedDemoDepartmentData(ctx: AppContext, now = new Date()): void {
  const admin = staffByUsername(ctx.db, 'admin');
  if (!admin) return;
  const year = defaultYear(now);
  ctx.db.transaction((tx) => {
    for (const f of FILES) {
      const file = tx.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.name, f.name)).get();
      if (!file) continue;
      tx.update(enterprises)
        .set({
          creditCode: 'creditCode' in f ? f.creditCode : null,
          premises: f.premises,
          landlord: 'landlord' in f ? f.landlord : '',
          landlordPhone: 'landlordPhone' in f ? f.landlordPhone : '',
        })
        .where(eq(enterprises.id, file.id))
        .run();
      tx.insert(enterpriseFigures)
        .values({ enterpriseId: file.id, year, ...f.figures, updatedBy: admin.id, updatedAt: now })
        .run();
    }
  });
}
