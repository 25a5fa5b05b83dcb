import { describe, expect, it } from 'vitest';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { pixelFloodPng, SVG, truncatedJpeg } from '../helpers/images.ts';
import { complaintCount, photoFiles, reportForm } from '../helpers/report.ts';

const { ctx, app } = await freshContext({ MAX_PHOTO_BYTES: String(2 * 1024 * 1024) });
const post = (body: FormData | string, headers: Record<string, string> = {}) =>
  app.request('/api/complaints', { method: 'POST', body, headers });

// Asserts a refusal in Chinese that names the field, and that nothing at all was saved.
async function expectRefused(res: Response, status: number, field: string | null, pattern: RegExp) {
  const before = { complaints: complaintCount(ctx), files: photoFiles(ctx).length };
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error.message).toMatch(/[\u4e00-\u9fa5]/);
  if (field) expect(body.error.fields?.[field]).toMatch(pattern);
  else expect(body.error.message).toMatch(pattern);
  expect({ complaints: complaintCount(ctx), files: photoFiles(ctx).length }).toEqual(before);
}

describe('bad input is refused with a clear Chinese message, and saves nothing', () => {
  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    ['missing category', { category: undefined }, 'category', /请选择问题类别/],
    ['unknown category', { category: 'nuclear' }, 'category', /列表中的问题类别/],
    ['missing latitude', { lat: undefined }, 'lat', /纬度/],
    ['latitude not a number', { lat: 'north' }, 'lat', /纬度必须是数字/],
    ['latitude out of range', { lat: '91' }, 'lat', /纬度超出范围/],
    ['longitude out of range', { lng: '-181' }, 'lng', /经度超出范围/],
    ['a point far outside China', { lat: '48.85', lng: '2.35' }, 'lat', /不在服务范围/],
    ['description missing', { description: undefined }, 'description', /问题描述/],
    ['description too short', { description: '冒烟' }, 'description', /至少写 10 个字/],
    ['description too long', { description: '烟'.repeat(2001) }, 'description', /最多 2000/],
    ['address too long', { address: '路'.repeat(201) }, 'address', /最多 200/],
    ['bad phone', { anonymous: '0', phone: '12345' }, 'phone', /手机号格式不正确/],
    ['named report without contact', { anonymous: '0' }, 'phone', /姓名或手机号/],
    ['bad anonymity flag', { anonymous: 'maybe' }, 'anonymous', /是否匿名/],
    ['seen in the future', { seenAt: '2099-01-01T10:00' }, 'seenAt', /不能晚于现在/],
    ['seen at a nonsense time', { seenAt: 'yesterday' }, 'seenAt', /格式不正确/],
    ['bad idempotency key', { idempotencyKey: 'x' }, 'idempotencyKey', /提交编号/],
    ['bad photo position claim', { photoExif: '{not json' }, 'photoExif', /照片位置信息/],
  ];
  it.each(cases)('%s', async (_name, over, field, pattern) => {
    await expectRefused(await post(reportForm(over)), 400, field, pattern);
  });

  it('a field sent as a file instead of text', async () => {
    const form = reportForm({ description: undefined });
    form.append('description', new Blob(['村口冒黑烟很久了很久了']), 'd.txt');
    await expectRefused(await post(form), 400, 'description', /不能是文件/);
  });

  it('a JSON body of the wrong type', async () => {
    await expectRefused(
      await post(JSON.stringify([1, 2]), { 'content-type': 'application/json' }),
      400,
      'description',
      /JSON 对象/,
    );
    await expectRefused(
      await post('{"category":', { 'content-type': 'application/json' }),
      400,
      null,
      /不是有效的 JSON/,
    );
    await expectRefused(
      await post(JSON.stringify({ category: 'air', lat: true, lng: 120, description: '一二三四五六七八九十' }), {
        'content-type': 'application/json',
      }),
      400,
      'lat',
      /纬度/,
    );
  });

  it('an unsupported content type', async () => {
    await expectRefused(
      await post('category=air', { 'content-type': 'text/plain' }),
      415,
      null,
      /multipart\/form-data/,
    );
  });

  it('a malformed multipart body', async () => {
    const res = await post('--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', {
      'content-type': 'multipart/form-data; boundary=yy',
    });
    await expectRefused(res, 400, null, /表单数据不完整/);
  });

  it('too many photos', async () => {
    const p = await demoPhoto({ hue: 1, width: 64, height: 48 });
    await expectRefused(await post(reportForm({}, Array(7).fill(p))), 400, 'photos', /最多上传 6 张照片/);
  });

  it('a photo over the size limit', async () => {
    await expectRefused(
      await post(reportForm({}, [Buffer.alloc(2 * 1024 * 1024 + 1, 0xff)])),
      413,
      'photos',
      /第 1 张照片超过 2 MB/,
    );
  });

  it('a file that is not an image, and an SVG', async () => {
    await expectRefused(
      await post(reportForm({}, [Buffer.from('just some text pretending to be a photo')])),
      400,
      'photos',
      /不是 JPEG、PNG 或 WebP/,
    );
    await expectRefused(await post(reportForm({}, [SVG])), 400, 'photos', /不是 JPEG、PNG 或 WebP/);
  });

  it('a pixel flood', async () => {
    await expectRefused(await post(reportForm({}, [await pixelFloodPng(60_000, 60_000)])), 400, 'photos', /像素过多/);
  });

  it('a truncated JPEG after a good photo, leaving no orphan file', async () => {
    const good = await demoPhoto({ hue: 5 });
    await expectRefused(
      await post(reportForm({}, [good, await truncatedJpeg()])),
      400,
      'photos',
      /第 2 张照片文件已损坏/,
    );
  });

  it('a cross-origin POST, form and JSON', async () => {
    await expectRefused(await post(reportForm(), { origin: 'https://evil.example' }), 403, null, /跨站/);
    await expectRefused(
      await post(JSON.stringify({}), { origin: 'https://evil.example', 'content-type': 'application/json' }),
      403,
      null,
      /跨站/,
    );
    await expectRefused(await post(reportForm(), { 'sec-fetch-site': 'cross-site' }), 403, null, /跨站/);
    expect((await post(reportForm(), { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status).toBe(
      201,
    );
  });
});
