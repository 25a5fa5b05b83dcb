import { clearDraft, loadDraft, saveDraft, type Draft, type DraftPhoto } from '../lib/draft-store.ts';
import type { MapConfig } from './report-map.ts';
import { villageAt } from '../lib/point-in-area.ts';
import { loadMapModule } from './load-map.ts';
import { showReceipt } from './report-receipt.ts';
import { describeItem, nearbyHint, type NearbyItem } from './nearby-hint.ts';
import { photoProblem, tooLarge } from '../lib/photo-check.ts';

type Config = MapConfig & {
  maxPhotos: number;
  maxPhotoBytes: number;
  captchaSiteKey: string | null;
  acceptDays: number;
};

const form = document.querySelector<HTMLFormElement>('#report-form')!;
const config = JSON.parse(document.getElementById('report-config')!.textContent!) as Config;
const $ = <T extends HTMLElement>(sel: string) => form.querySelector<T>(sel)!;
const lat = $<HTMLInputElement>('#lat'),
  lng = $<HTMLInputElement>('#lng');
const mapStatus = $('#map-status'),
  alertBox = $('#form-alert'),
  submitStatus = $('#submit-status');
const submit = $<HTMLButtonElement>('#submit'),
  fileInput = $<HTMLInputElement>('#photos');
const TEXT_FIELDS = [
  'category',
  'lat',
  'lng',
  'address',
  'description',
  'seenAt',
  'anonymous',
  'name',
  'phone',
  'email',
  'notify',
];

let draft: Draft = { idempotencyKey: crypto.randomUUID(), fields: {}, photos: [], savedAt: Date.now() };

function readFields(): Record<string, string> {
  const data = new FormData(form);
  return Object.fromEntries(TEXT_FIELDS.map((k) => [k, String(data.get(k) ?? '')]));
}

let saveTimer: number | undefined;
function persist() {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => saveDraft({ ...draft, fields: readFields(), savedAt: Date.now() }), 300);
}

// --- map and location ------------------------------------------------------------
// Leaflet loads after the form is usable: the page paints first, the map follows.
let map: ReturnType<typeof import('./report-map.ts').createPinMap> | null = null;
let shown: [number, number, number | undefined] | null = null;
void loadMapModule().then(({ createPinMap }) => {
  map = createPinMap($('#map'), config, (la, ln) => setPoint(la, ln));
  if (shown) map.place(...shown);
});
for (const el of form.querySelectorAll('.js-only')) el.classList.remove('hidden');
form.classList.add('enhanced');
$<HTMLDetailsElement>('#coords').open = false;

function describePoint(la: number, ln: number) {
  const village = villageAt(config.villages.features, la, ln);
  mapStatus.textContent = village
    ? `已选位置，属于：${village}`
    : '已选位置（不在任何村、社区范围内，将由所在或最近的乡镇（街道）整治办核实处理）';
}
function setPoint(la: number, ln: number, zoom?: number) {
  lat.value = la.toFixed(6);
  lng.value = ln.toFixed(6);
  shown = [la, ln, zoom];
  map?.place(la, ln, zoom);
  describePoint(la, ln);
  unfollow(); // another place: the hint offers afresh
  hint.ask(la, ln, readFields().category ?? '');
  persist();
}
for (const input of [lat, lng]) {
  input.addEventListener('change', () => {
    const [la, ln] = [Number(lat.value), Number(lng.value)];
    if (lat.value && lng.value && Number.isFinite(la) && Number.isFinite(ln)) setPoint(la, ln, 16);
  });
}
$('#locate').addEventListener('click', () => {
  if (!navigator.geolocation) return void (mapStatus.textContent = '此浏览器不支持定位，请在地图上点选');
  mapStatus.textContent = '正在定位…';
  navigator.geolocation.getCurrentPosition(
    (p) => setPoint(p.coords.latitude, p.coords.longitude, 17),
    () => (mapStatus.textContent = '无法获取您的位置，请在地图上点选或允许定位权限'),
    { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
  );
});
const photoLocation = $<HTMLButtonElement>('#photo-location');
photoLocation.addEventListener('click', () => {
  const p = draft.photos.find((ph) => ph.exif?.lat != null && ph.exif?.lng != null);
  if (p) setPoint(p.exif!.lat!, p.exif!.lng!, 17);
});

// --- photos ------------------------------------------------------------------------
const previews = $('#previews');
function renderPhotos() {
  previews.replaceChildren(
    ...draft.photos.map((p, i) => {
      const box = document.createElement('div');
      box.className = 'photo-preview';
      const img = document.createElement('img');
      img.src = URL.createObjectURL(p.blob);
      img.alt = `第 ${i + 1} 张照片`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = '×';
      remove.setAttribute('aria-label', `删除第 ${i + 1} 张照片`);
      remove.addEventListener('click', () => {
        draft.photos.splice(i, 1);
        renderPhotos();
        persist();
      });
      box.append(img, remove);
      return box;
    }),
  );
  photoLocation.classList.toggle('hidden', !draft.photos.some((p) => p.exif?.lat != null));
}
// The EXIF reader is most of this page's script: fetched when the picker opens, not with the page.
const photoTools = () => import('../lib/photos.ts');
fileInput.addEventListener('click', () => void photoTools(), { once: true });
fileInput.addEventListener('change', async () => {
  const chosen = [...(fileInput.files ?? [])];
  fileInput.value = '';
  // Each file is checked and named before anything is sent (photo-check.ts); the server checks again.
  const problems: string[] = [];
  const files: { file: File; n: number }[] = [];
  for (const [i, file] of chosen.entries()) {
    const problem = await photoProblem(file, i + 1);
    if (problem) problems.push(problem);
    else files.push({ file, n: i + 1 });
  }
  const room = Math.max(0, config.maxPhotos - draft.photos.length);
  if (files.length > room)
    problems.push(`最多上传 ${config.maxPhotos} 张照片，多选的 ${files.length - room} 张没有加入`);
  submitStatus.textContent = files.length ? '正在处理照片…' : '';
  const { preparePhoto } = await photoTools();
  const made = await Promise.all(files.slice(0, room).map(async (f) => ({ ...f, photo: await preparePhoto(f.file) })));
  const prepared: DraftPhoto[] = [];
  for (const { file, n, photo } of made) {
    const big = tooLarge(file, n, photo.blob.size, config.maxPhotoBytes);
    if (big) problems.push(big);
    else prepared.push(photo);
  }
  draft.photos.push(...prepared);
  submitStatus.textContent = '';
  if (problems.length) showErrors({ photos: problems });
  renderPhotos();
  persist();
  const located = prepared.find((p) => p.exif?.lat != null);
  if (located && !lat.value) setPoint(located.exif!.lat!, located.exif!.lng!, 17);
});

// --- contact -----------------------------------------------------------------------
const contact = $('#contact-fields');
const syncContact = () => contact.classList.toggle('hidden', readFields().anonymous !== '0');
form.addEventListener('change', syncContact);
form.addEventListener('input', persist);
// A field's error goes away once the resident changes that field.
for (const type of ['input', 'change']) {
  form.addEventListener(type, (e) => {
    const box = (e.target as HTMLElement).closest('.field, fieldset');
    for (const el of box?.querySelectorAll('.field-error') ?? []) el.remove();
  });
}
form.addEventListener('change', persist);

// --- nearby reports: follow one instead of filing a duplicate ---------------------------
let following: NearbyItem | null = null;
const followBox = $('#field-follow');
const hint = nearbyHint($('#nearby'), (item) => {
  following = item;
  const radio = form.querySelector<HTMLInputElement>(
    `input[name="category"][value="${CSS.escape(item.categoryCode)}"]`,
  );
  if (radio) radio.checked = true;
  $('#follow-what').textContent = describeItem(item);
  showFollowing();
  followBox.focus();
});
function showFollowing() {
  followBox.classList.toggle('hidden', !following);
  submit.textContent = following ? '关注办理进展' : '提交举报';
}
function unfollow() {
  if (!following) return;
  following = null;
  for (const e of followBox.querySelectorAll('.field-error')) e.remove();
  showFollowing();
}
$('#unfollow').addEventListener('click', unfollow);
form.addEventListener('change', (e) => {
  const t = e.target as HTMLInputElement;
  if (t.name !== 'category') return;
  if (following && t.value !== following.categoryCode) unfollow();
  if (lat.value && lng.value) hint.ask(Number(lat.value), Number(lng.value), t.value);
});

// --- errors and submit ---------------------------------------------------------------
/** Each field's errors, one line each in the list above the form and under the field (a field may have several). */
function showErrors(given: Record<string, string | string[]>, message?: string) {
  for (const e of form.querySelectorAll('.field-error.js')) e.remove();
  // The pin's two numbers are one answer: their errors (usually one sentence twice) show once, under the map.
  const { lng: lngError, ...fields } = given;
  if (lngError)
    fields.lat = fields.lat && String(fields.lat) !== String(lngError) ? [fields.lat, lngError].flat() : lngError;
  const entries = Object.entries(fields).flatMap(([field, t]) => [t].flat().map((text) => [field, text] as const));
  alertBox.replaceChildren();
  if (!entries.length && !message) return void alertBox.classList.add('hidden');
  const strong = document.createElement('strong');
  strong.textContent = message ?? '请修改以下内容后再提交：';
  const list = document.createElement('ul');
  for (const [field, text] of entries) {
    const li = document.createElement('li');
    li.textContent = text;
    list.append(li);
    const anchor =
      form.querySelector(`#field-${field}`) ?? form.querySelector(`#field-${field === 'lng' ? 'lat' : 'description'}`);
    const p = document.createElement('p');
    p.className = 'field-error js';
    p.textContent = text;
    anchor?.append(p);
  }
  alertBox.append(strong, list);
  alertBox.classList.remove('hidden');
  alertBox.focus();
}

function checkLocally(f: Record<string, string>): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.category) e.category = '请选择问题类别';
  if (!f.lat || !f.lng) e.lat = '请在地图上点选位置，或点“使用我的位置”';
  // Following a report, his own words are optional: the server writes the standard sentence.
  if (!following && (f.description ?? '').trim().length < 10)
    e.description = '问题描述至少写 10 个字：看到了什么、在哪里';
  return e;
}

// biome-ignore lint/suspicious/noExplicitAny: the answer is a filing or an error, read field by field below
function send(body: FormData): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/complaints');
    xhr.responseType = 'json';
    xhr.timeout = 120_000;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) submitStatus.textContent = `正在上传… ${Math.round((e.loaded / e.total) * 100)}%`;
    };
    xhr.onload = () => resolve({ status: xhr.status, json: xhr.response });
    xhr.onerror = xhr.ontimeout = () => reject(new Error('network'));
    xhr.send(body);
  });
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const fields = readFields();
  const local = checkLocally(fields);
  if (Object.keys(local).length) return showErrors(local);
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v) body.append(k, v);
  const token = form.querySelector<HTMLTextAreaElement>('[name="h-captcha-response"]')?.value;
  if (token) body.append('h-captcha-response', token);
  body.append('idempotencyKey', draft.idempotencyKey);
  if (following) body.append('follow', following.token);
  body.append('photoExif', JSON.stringify(draft.photos.map((p) => p.exif)));
  for (const [i, p] of draft.photos.entries()) body.append('photos', p.blob, p.name || `photo-${i + 1}.jpg`);
  await saveDraft({ ...draft, fields, savedAt: Date.now() });
  submit.disabled = true;
  submitStatus.textContent = '正在提交…';
  try {
    const { status, json } = await send(body);
    if (status === 201) {
      await clearDraft();
      showReceipt(form, json, config.acceptDays, following !== null);
      return;
    }
    (window as { hcaptcha?: { reset(): void } }).hcaptcha?.reset();
    // The key already filed a different report (the first try went through, then the draft changed): the next try is a
    // new report.
    if (status === 409) draft.idempotencyKey = crypto.randomUUID();
    const fields = json?.error?.fields ?? {};
    // With field errors the list says it all; the heading stays the general one.
    showErrors(
      fields,
      Object.keys(fields).length ? undefined : (json?.error?.message ?? `提交失败（${status}），请稍后再试`),
    );
  } catch {
    showErrors({}, '网络不稳定，提交没有完成。您填写的内容已保存在本机，网络恢复后再点“提交举报”即可。');
  } finally {
    submit.disabled = false;
    if (submitStatus.textContent?.startsWith('正在')) submitStatus.textContent = '';
  }
});

// --- restore a draft ---------------------------------------------------------------------
const saved = await loadDraft();
if (saved && (saved.photos.length || Object.values(saved.fields).some((v) => v && v !== '1'))) {
  draft = saved;
  for (const [k, v] of Object.entries(saved.fields)) {
    const els = form.querySelectorAll<HTMLInputElement>(`[name="${k}"]`);
    els.forEach((el) => {
      if (el.type === 'radio' || el.type === 'checkbox') el.checked = el.value === v;
      else if (!el.value) el.value = v;
    });
  }
  if (lat.value && lng.value) setPoint(Number(lat.value), Number(lng.value), 16);
  renderPhotos();
  const note = $('#draft-note');
  note.textContent = '已恢复您上次未提交完成的举报草稿。';
  note.classList.remove('hidden');
} else if (lat.value && lng.value) {
  setPoint(Number(lat.value), Number(lng.value), 16);
}
syncContact();
