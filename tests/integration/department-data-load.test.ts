import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { creditCodeChecks } from '../../api/domain/department-data/names.ts';
import { departments, villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { duringWork, STALL_LIMIT_MS } from '../helpers/event-loop.ts';
import { freshContext } from '../helpers/context.ts';
import { listen } from '../helpers/server.ts';
import { signIn } from '../helpers/staff.ts';

const FILES = 2_000;
// A township's 市场监管 list runs to a few thousand firms. (At 20,000 rows, 1.7 MB, the CSV reader's 1 MB slice
// held the thread 55-75 ms here: shared/table-rows.ts reads a chunk in one turn.)
const ROWS = 5_000;
const { ctx } = await freshContext();
const db = ctx.db;
const zhulin = db.select().from(villages).where(eq(villages.name, '竹林村')).get()!;
const market = db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'market')).get()!.id;
const code = (n: number) => {
  const seventeen = `91330782MA${String(n).padStart(7, '0')}`;
  return [...'0123456789ABCDEFGHJKLMNPQRTUWXY'].map((c) => seventeen + c).find(creditCodeChecks)!;
};
db.transaction((tx) => {
  for (let i = 0; i < FILES; i++) {
    tx.insert(enterprises)
      .values({
        townshipId: zhulin.townshipId,
        villageId: zhulin.id,
        name: `负载测试作坊${i}`,
        creditCode: i % 2 ? code(i) : null,
        landArea: 1000 + i,
        updatedAt: new Date(),
      })
      .run();
  }
});
// A township's whole licence list: the files among many firms the office does not follow.
const register = ['统一社会信用代码,企业名称,住所,登记状态'];
const figures = ['统一社会信用代码,企业名称,年度,税收（万元）,产值（万元）,能耗,用地（亩）,从业人数'];
for (let i = 0; i < ROWS; i++) {
  register.push(`${code(i)},负载测试作坊${i}（个体工商户）,某路${i}号,${i % 50 ? '存续' : '吊销'}`);
  figures.push(`${code(i)},负载测试作坊${i},2025,${i % 97},${(i % 89) * 10},${i % 7},,${1 + (i % 30)}`);
}

describe('a township-sized import', () => {
  it(`matches ${ROWS} register rows and figures to ${FILES} files without holding the event loop`, async () => {
    const server = await listen(ctx);
    const cookie = signIn(ctx, 'shouli');
    try {
      const upload = (path: string, lines: string[]) =>
        fetch(`${server.base}/api/admin/department-data/${path}`, {
          method: 'POST',
          headers: { cookie },
          body: lines.join('\n'),
        }).then((r) => r.json());
      const registerPath = `registers?departmentId=${market}&fileName=r.csv`;
      const reg = await duringWork(server.base, () => upload(registerPath, register));
      expect(reg.result).toMatchObject({ counts: { inserted: ROWS }, unmatched: ROWS - FILES });
      const fig = await duringWork(server.base, () => upload('figures?fileName=f.csv', figures));
      expect(fig.result).toMatchObject({ counts: { inserted: FILES }, unmatched: ROWS - FILES });
      const again = await duringWork(server.base, () => upload(registerPath, register));
      expect(again.result).toMatchObject({ counts: { unchanged: ROWS } });
      const evaluation = await duringWork(server.base, () =>
        fetch(`${server.base}/api/admin/department-data/evaluation.xlsx?year=2025`, { headers: { cookie } }).then((r) =>
          r.arrayBuffer(),
        ),
      );
      expect(evaluation.result.byteLength).toBeGreaterThan(10_000);
      console.log(
        `register ${reg.blockedMs.toFixed(1)} ms, figures ${fig.blockedMs.toFixed(1)} ms, ` +
          `re-import ${again.blockedMs.toFixed(1)} ms, evaluation.xlsx ${evaluation.blockedMs.toFixed(1)} ms ` +
          'longest run',
      );
      for (const s of [reg, fig, again, evaluation]) expect(s.blockedMs).toBeLessThan(STALL_LIMIT_MS);
    } finally {
      await server.close();
    }
  });
});
