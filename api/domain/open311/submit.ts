import type { AppContext } from '../../context.ts';
import { firstTownshipId } from '../shared/township-links.ts';
import { officeOf } from '../shared/office-name.ts';
import { parseComplaintJson } from '../complaints/form.ts';
import { submitComplaint } from '../complaints/submit.ts';
import { formatTrackingCode } from '../complaints/tracking-code.ts';

const CJK = /[\u3400-\u9fff]/;

/** first_name/last_name as one name: Chinese names family name first, with no space. */
export function personName(first?: string, last?: string): string | undefined {
  const [f, l] = [first?.trim() ?? '', last?.trim() ?? ''];
  if (!f && !l) return undefined;
  return CJK.test(f + l) ? `${l}${f}` : `${f} ${l}`.trim();
}

/**
 * Open311's arguments as the site's form fields, so the one zod schema (complaint-input.ts) checks
 * both with the same rules, limits and messages. The contact (name, phone) is stored as the site
 * stores it; with neither the report is anonymous. e-mail has no column and is dropped.
 */
export function complaintFieldsOf(form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const copy = (from: string, to: string) => {
    if (form[from] !== undefined) out[to] = form[from]!;
  };
  copy('service_code', 'category');
  copy('lat', 'lat');
  copy('long', 'lng');
  copy('address_string', 'address');
  copy('description', 'description');
  copy('phone', 'phone');
  copy('idempotency_key', 'idempotencyKey');
  const name = personName(form.first_name, form.last_name);
  if (name) out.name = name;
  out.anonymous = name || form.phone?.trim() ? '0' : '1';
  return out;
}

/**
 * The placeholder of a request with an address and no point: the centre of the township's villages
 * (the point Open311 shows for a township), never shown as the report's place (decision 016).
 */
function townshipCentre(ctx: AppContext): { lat: number; lng: number } | null {
  const townshipId = firstTownshipId(ctx.db);
  const areas = ctx.villageAreas().filter((a) => a.townshipId === townshipId);
  if (!areas.length) return null;
  const sum = areas.reduce((s, a) => ({ lat: s.lat + a.centre.lat, lng: s.lng + a.centre.lng }), { lat: 0, lng: 0 });
  return { lat: sum.lat / areas.length, lng: sum.lng / areas.length };
}

const given = (v: string | undefined) => !!v?.trim();

export type Open311Filed =
  | { ok: true; id: number; notice: string }
  | { ok: false; status: 400 | 404 | 409; messages: string[] };

/** Files the request through the site's own path into the same moderation queue, recording which key filed it. */
export async function fileOpen311Request(
  ctx: AppContext,
  form: Record<string, string>,
  apiKeyId: number,
): Promise<Open311Filed> {
  const fields = complaintFieldsOf(form);
  // The spec allows an address without lat/long; with neither there is nowhere to look.
  const addressOnly = !given(form.lat) && !given(form.long) && given(form.address_string);
  if (!addressOnly && !given(form.lat) && !given(form.long))
    return { ok: false, status: 400, messages: ['请提供 lat 和 long（WGS-84 经纬度），或 address_string（地址描述）'] };
  if (addressOnly) {
    const centre = townshipCentre(ctx);
    if (!centre) throw new Error('no township configured');
    Object.assign(fields, { lat: String(centre.lat), lng: String(centre.lng) });
  }
  const parsed = await parseComplaintJson(fields);
  if (!parsed.ok) return { ok: false, status: 400, messages: Object.values(parsed.errors) };
  const r = await submitComplaint(ctx, {
    fields: parsed.fields,
    photos: [],
    source: 'api',
    apiKeyId,
    needsLocation: addressOnly,
  });
  // An unknown service_code is the spec's 404; a key reused for another body 409; every other refusal a 400.
  if (!r.ok)
    return {
      ok: false,
      status: r.keyConflict ? 409 : r.errors.category ? 404 : 400,
      messages: Object.values(r.errors),
    };
  const notes = [
    `举报已收到，进入${officeOf(r.receipt.townshipName)}受理队列，将在 ${ctx.env.ACCEPT_DAYS} 天内决定是否受理。`,
    `查询码 ${formatTrackingCode(r.receipt.trackingCode)}：请只告知举报人本人，凭码可在本站“查询进度”页查看办理情况和答复。`,
  ];
  if (addressOnly) notes.push('未提供经纬度：整治办将按地址描述在地图上确定位置，确定前不公开任何位置。');
  if (form.media_url?.trim()) notes.push('本接口不支持 media_url，照片链接未保存。');
  if (form.email?.trim()) notes.push('本系统不保存电子邮箱，只保存姓名和手机号。');
  return { ok: true, id: r.complaintId, notice: notes.join('') };
}
