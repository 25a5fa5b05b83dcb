// The phone's queue of field work (issue 16): every field-work save is written to IndexedDB first, its photos as
// Blobs with each one's SHA-256, time and position taken when it was picked, and then sent. What cannot go now (no
// signal, the server down) goes later by itself, oldest first, with the key it was queued under as its
// Idempotency-Key, so that a retry whose first try did reach the server saves nothing twice. A refusal (4xx) stays
// in the queue with the server's message until the officer discards it or tries again.

import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { uploadWithProgress } from './admin.ts';

export interface PhotoMeta {
  sha256: string;
  /** The phone's clock when the photo was taken or chosen. */
  takenAt: number;
  lat?: number;
  lng?: number;
  /** Metres, as the phone reports its position's accuracy. */
  accuracy?: number;
}

export interface QueuedPhoto {
  /** The form field it goes up as: photos, or a patrol finding's findings.0.photos. */
  field: string;
  blob: Blob;
  name: string;
  type: string;
  /** Null only where the browser cannot hash (no crypto.subtle outside a secure context). */
  meta: PhotoMeta | null;
}

export type QueueState = 'waiting' | 'sending' | 'failed';

export interface QueuedItem {
  key: string;
  /** Whose work it is: sent only while that account is signed in on this phone. */
  userId: string;
  url: string;
  fields: [string, string][];
  photos: QueuedPhoto[];
  /** What it is, for the officer: 回头看 · 张三五金作坊. */
  label: string;
  /** The page it was recorded on. */
  page: string;
  createdAt: number;
  tries: number;
  nextTryAt: number;
  lastError: string | null;
  state: QueueState;
}

export type SendResult =
  // biome-ignore lint/suspicious/noExplicitAny: each endpoint answers its own shape; each caller reads its own fields
  | { kind: 'sent'; data: any }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'later'; message: string };

interface QueueDb extends DBSchema {
  uploads: { key: string; value: QueuedItem };
}

/** After the 1st, 2nd, 3rd… failed try (no signal, the server down): wait this long, the last one from then on. */
const BACKOFF_MS = [5_000, 15_000, 60_000, 300_000];
const NO_NETWORK = '手机没有网络，有信号时自动上传';

/** The signed-in account, as the layout's queue badge names it; no queue without one (the login pages). */
export const userId = document.getElementById('upload-queue')?.dataset.user ?? '';

let dbPromise: Promise<IDBPDatabase<QueueDb>> | null = null;
const db = () =>
  (dbPromise ??= openDB<QueueDb>('field-work', 1, {
    upgrade(d) {
      d.createObjectStore('uploads', { keyPath: 'key' });
    },
  }));

/** This account's queued work, oldest first. */
export async function queued(): Promise<QueuedItem[]> {
  if (!userId) return [];
  // No IndexedDB here (a private window of some browsers): nothing is queued, saves go straight up.
  const all = await db()
    .then((d) => d.getAll('uploads'))
    .catch(() => [] as QueuedItem[]);
  return all.filter((i) => i.userId === userId).sort((a, b) => a.createdAt - b.createdAt);
}

// Other tabs hear of each change, so that their badges and notes follow.
const channel = 'BroadcastChannel' in window ? new BroadcastChannel('upload-queue') : null;
function changed() {
  window.dispatchEvent(new CustomEvent('upload-queue:change'));
  channel?.postMessage('change');
}
channel?.addEventListener('message', (e) => {
  if (e.data === 'change') window.dispatchEvent(new CustomEvent('upload-queue:change'));
  else if (e.data?.sent) window.dispatchEvent(new CustomEvent('upload-queue:sent', { detail: e.data.sent }));
});

async function put(item: QueuedItem) {
  await (await db()).put('uploads', item);
  changed();
}

export async function discard(key: string) {
  await (await db()).delete('uploads', key);
  changed();
}

const uuid = () =>
  crypto.randomUUID?.() ??
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

// ---- at capture: the photo's hash, the time it was picked, where the phone was ----

let position: GeolocationPosition | null = null;
let locating: Promise<void> | null = null;
/** Asks for the phone's position when a photo is picked (the first pick prompts; no prompt on page load). */
function locate() {
  locating = new Promise((resolve) => {
    if (!navigator.geolocation) return resolve();
    navigator.geolocation.getCurrentPosition(
      (p) => {
        position = p;
        resolve();
      },
      () => resolve(),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
    );
  });
}

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

const captured = new WeakMap<File, Promise<PhotoMeta | null>>();
/** The photo's SHA-256 and the time it was picked, measured once per file as soon as it is picked. */
function capture(file: File): Promise<PhotoMeta | null> {
  let meta = captured.get(file);
  if (!meta) {
    const takenAt = Date.now();
    meta = crypto.subtle
      ? file.arrayBuffer().then(async (bytes) => ({
          sha256: hex(await crypto.subtle.digest('SHA-256', bytes)),
          takenAt,
        }))
      : Promise.resolve(null);
    captured.set(file, meta);
  }
  return meta;
}

/** Hashes each photo just picked in this file input and asks where the phone is. */
export function picked(input: HTMLInputElement) {
  if (input.type !== 'file' || !input.files?.length) return;
  locate();
  for (const file of input.files) void capture(file);
}

/** The same for every file input of the form, now and added later (a patrol's findings); call once per form. */
export function watchPhotos(form: HTMLFormElement) {
  form.addEventListener('change', (e) => picked(e.target as HTMLInputElement));
}

/** A position fixed within two minutes of the photo's pick is where it was taken; an older one says nothing. */
function placed(meta: PhotoMeta): PhotoMeta {
  if (meta.lat !== undefined || !position || Math.abs(position.timestamp - meta.takenAt) > 120_000) return meta;
  const { latitude, longitude, accuracy } = position.coords;
  return { ...meta, lat: latitude, lng: longitude, accuracy: Math.round(accuracy * 10) / 10 };
}

// ---- queueing and sending ----

/** The form's fields and non-empty photos as a piece of work for the queue, under a new key. */
export async function prepare(url: string, data: FormData, label: string): Promise<QueuedItem> {
  const fields: [string, string][] = [];
  const photos: QueuedPhoto[] = [];
  // Saved the moment after the photo was picked: the position asked for then may be a second or two away.
  if (locating) await Promise.race([locating, new Promise((r) => setTimeout(r, 2000))]);
  // The phone's latest position as the form's lat/lng too, as the server has read them since before the queue.
  if (position) {
    data.set('lat', String(position.coords.latitude));
    data.set('lng', String(position.coords.longitude));
  }
  for (const [name, value] of data) {
    if (typeof value === 'string') fields.push([name, value]);
    else if (value.size > 0) {
      const meta = await capture(value);
      photos.push({ field: name, blob: value, name: value.name, type: value.type, meta: meta && placed(meta) });
    }
  }
  const now = Date.now();
  return {
    key: uuid(),
    userId,
    url,
    fields,
    photos,
    label,
    page: location.pathname + location.search,
    createdAt: now,
    tries: 0,
    nextTryAt: now,
    lastError: null,
    state: 'waiting',
  };
}

/** Writes it to the queue (throws where IndexedDB is unavailable or full). */
export async function enqueue(item: QueuedItem) {
  await put(item);
  // Asks the browser not to clear the queue when the phone runs short of space (granted silently or not at all).
  void navigator.storage?.persist?.().catch(() => undefined);
}

function body(item: QueuedItem): FormData {
  const form = new FormData();
  for (const [name, value] of item.fields) form.append(name, value);
  form.append('sentAt', String(Date.now()));
  // One photoMeta per photo in the photos' order, or none at all (the contract's two shapes).
  if (item.photos.every((p) => p.meta)) for (const p of item.photos) form.append('photoMeta', JSON.stringify(p.meta));
  for (const p of item.photos) form.append(p.field, new Blob([p.blob], { type: p.type }), p.name);
  return form;
}

interface Progress {
  progress?: (percent: number) => void;
  sent?: () => void;
}

const results = new Map<string, SendResult>();

/** Where the phone cannot keep it (no IndexedDB, storage full): sent as it is, and nothing kept if that fails. */
export async function sendUnqueued(item: QueuedItem, on: Progress = {}): Promise<SendResult> {
  const { status, data } = await uploadWithProgress(item.url, body(item), {
    headers: { 'Idempotency-Key': item.key },
    ...on,
  });
  if (status >= 200 && status < 300) return { kind: 'sent', data };
  const message =
    status === 0 ? '网络中断，没有保存，请在信号好时重试' : (data?.error?.message ?? `保存失败（${status}），请重试`);
  return { kind: 'refused', status, message };
}

/** Sends one item, the queue locked; records what became of it. */
async function sendOne(item: QueuedItem, on: Progress = {}): Promise<SendResult> {
  if (navigator.onLine === false) {
    await put({ ...item, state: 'waiting', lastError: NO_NETWORK });
    return { kind: 'later', message: NO_NETWORK };
  }
  await put({ ...item, state: 'sending' });
  const { status, data } = await uploadWithProgress(item.url, body(item), {
    headers: { 'Idempotency-Key': item.key },
    progress: (p) => {
      on.progress?.(p);
      window.dispatchEvent(new CustomEvent('upload-queue:progress', { detail: { key: item.key, percent: p } }));
    },
    sent: on.sent,
  });
  const tries = item.tries + 1;
  let result: SendResult;
  if (status >= 200 && status < 300) {
    result = { kind: 'sent', data };
    await discard(item.key);
    const sent = { key: item.key, url: item.url, photos: item.photos.length, data };
    window.dispatchEvent(new CustomEvent('upload-queue:sent', { detail: sent }));
    channel?.postMessage({ sent });
  } else if (status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429) {
    const message = data?.error?.message ?? `服务器拒收（${status}），请检查后重试或放弃`;
    result = { kind: 'refused', status, message };
    await put({ ...item, tries, state: 'failed', lastError: message });
  } else {
    const message =
      status === 0
        ? '网络中断，稍后自动重试'
        : status === 401
          ? '登录已过期，请重新登录，登录后自动上传'
          : `服务器暂时不可用（${status}），稍后自动重试`;
    result = { kind: 'later', message };
    // An expired login is not retried by the clock: signing in again loads a page, which sends.
    const wait = status === 401 ? 3_600_000 : BACKOFF_MS[Math.min(tries, BACKOFF_MS.length) - 1]!;
    await put({ ...item, tries, state: 'waiting', lastError: message, nextTryAt: Date.now() + wait });
  }
  results.set(item.key, result);
  return result;
}

// One sender at a time: this tab's sends one after another, and the Web Lock keeps two tabs from sending one item.
let chain: Promise<unknown> = Promise.resolve();
function exclusive<T>(run: () => Promise<T>, ifAvailable = false): Promise<T | undefined> {
  if (navigator.locks)
    return navigator.locks.request('upload-queue', { ifAvailable }, (lock) => (lock ? run() : undefined));
  const next = chain.then(run);
  chain = next.catch(() => undefined);
  return next;
}

/** Only the lock's holder sends: an item left 'sending' by a tab closed mid-upload is waiting again. */
async function reclaim() {
  for (const item of await queued()) if (item.state === 'sending') await put({ ...item, state: 'waiting' });
}

/** Sends this item now (the form that queued it, or 立即上传 on a failed one); waits for a send under way. */
export async function sendNow(key: string, on: Progress = {}): Promise<SendResult> {
  const result = await exclusive(async () => {
    await reclaim();
    const item = (await queued()).find((i) => i.key === key);
    // Gone: sent meanwhile by another trigger (or another tab). Failed: refused meanwhile, and kept for the officer.
    if (!item) return results.get(key) ?? ({ kind: 'sent', data: {} } as const);
    if (item.state === 'failed') return { kind: 'refused', status: 400, message: item.lastError ?? '' } as const;
    return sendOne(item, on);
  });
  schedule();
  return result!;
}

let draining: Promise<void> | null = null;
/**
 * Sends what is due, oldest first; `force` sends all that wait (the connection is back, the page loaded, 立即上传).
 * Failed items wait for the officer. No signal stops the round: the rest would fail the same way.
 */
export function drain(force = false): Promise<void> {
  if (!userId) return Promise.resolve();
  draining ??= exclusive(async () => {
    await reclaim();
    const tried = new Set<string>();
    for (;;) {
      const due = (await queued()).find(
        (i) => i.state === 'waiting' && !tried.has(i.key) && (force || i.nextTryAt <= Date.now()),
      );
      if (!due) break;
      tried.add(due.key);
      const result = await sendOne(due);
      if (result.kind === 'later' && navigator.onLine === false) break;
    }
  }, true).then(() => {
    draining = null;
    schedule();
  });
  return draining;
}

let timer: ReturnType<typeof setTimeout> | undefined;
/** While items wait, a timer for the next one due (another tab holding the lock is tried again shortly). */
function schedule() {
  clearTimeout(timer);
  if (navigator.onLine === false) return; // the online event sends
  void queued().then((items) => {
    const next = Math.min(...items.filter((i) => i.state !== 'failed').map((i) => i.nextTryAt));
    if (Number.isFinite(next)) timer = setTimeout(() => void drain(), Math.max(2_000, next - Date.now()));
  });
}

/** A failed item, tried again (after the officer fixed what the server refused, or to see it refused again). */
export async function retry(key: string) {
  const item = (await queued()).find((i) => i.key === key);
  if (!item) return;
  await put({ ...item, state: 'waiting', nextTryAt: Date.now() });
  return sendNow(key);
}

if (userId) {
  window.addEventListener('online', () => void drain(true));
  void drain(true);
}
