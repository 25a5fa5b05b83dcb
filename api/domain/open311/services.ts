import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, townships } from '../../../db/schema.ts';

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
/** Bumped whenever this API or the meaning of its fields changes (the spec: a sortable string). */
export const CHANGESET = '2026-12-02 00:00';

/** Our complaint categories as Open311 services: no extra attributes, the id returned at once. */
export function listServices(db: Db) {
  return db
    .select({ code: complaintCategories.code, name: complaintCategories.name, hint: complaintCategories.hint })
    .from(complaintCategories)
    .where(eq(complaintCategories.active, true))
    .orderBy(asc(complaintCategories.sort), asc(complaintCategories.id))
    .all()
    .map((c) => ({
      service_code: c.code,
      service_name: c.name,
      description: c.hint || c.name,
      metadata: false,
      type: 'realtime',
      keywords: [...new Set(`${c.name}/${c.hint}`.split(/[/、，,（）()“”\s]+/).filter((w) => w.length > 0))].join(', '),
      group: '散乱污',
    }));
}

/**
 * GET services/{code}: the spec asks for it only when metadata is true; ours never is, so the
 * definition is the code with no attributes (an empty list) — asked anyway, it still answers.
 */
export function serviceDefinition(db: Db, code: string): { service_code: string; attributes: never[] } | null {
  const row = db
    .select({ code: complaintCategories.code })
    .from(complaintCategories)
    .where(and(eq(complaintCategories.code, code), eq(complaintCategories.active, true)))
    .get();
  return row ? { service_code: row.code, attributes: [] } : null;
}

/** discovery.{json,xml}: where the endpoint is, in which formats, and how to get a key (docs/open311.md). */
export function discovery(db: Db, endpointUrl: string, production: boolean) {
  const township = db
    .select({ name: townships.name, county: townships.county })
    .from(townships)
    .orderBy(asc(townships.id))
    .get();
  const office = township ? `${township.county}${township.name}“散乱污”整治办公室` : '“散乱污”整治办公室';
  return {
    changeset: CHANGESET,
    contact:
      `${office}。说明：公开列表只含已受理的举报，只给村级位置；描述在受理后公开，已隐去举报人信息、电话、证件号和邮箱；` +
      'closed 的含义见 status_notes；servicerequestupdates 扩展向提交方返回答复；POST 可只给 address_string（位置待整治办确定）；' +
      '不支持 media_url；email 不保存。',
    key_service: `API 密钥由${office}管理员签发（后台“接口密钥”页），请联系整治办申请；提交时以 api_key 参数携带。`,
    endpoints: [
      {
        specification: SPECIFICATION,
        url: endpointUrl,
        changeset: CHANGESET,
        type: production ? 'production' : 'test',
        formats: ['application/json', 'text/xml'],
      },
    ],
  };
}
