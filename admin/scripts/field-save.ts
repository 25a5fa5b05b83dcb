// A field form's side of the offline queue (offline-queue.ts): one path online or off. The save is queued, then
// sent at once; the form shows what came of it: done as before, the server's refusal (taken off the queue, the form
// still holds what was typed), or 已保存在手机上 when it has to wait for a signal. Beside each form, the work still
// queued for it on this phone (after a reload without signal the officer sees his photos are waiting).

import {
  discard,
  enqueue,
  prepare,
  type QueuedItem,
  queued,
  type SendResult,
  sendNow,
  sendUnqueued,
} from './offline-queue.ts';

export { picked, watchPhotos } from './offline-queue.ts';

export const QUEUED = '已保存在手机上，有信号时自动上传';

/** Keys whose form is on screen and says for itself what became of them. */
const owned = new Set<string>();

export async function saveFieldWork(
  url: string,
  data: FormData,
  label: string,
  on: { progress?: (percent: number) => void; sent?: () => void } = {},
): Promise<{ key: string; result: SendResult }> {
  const item = await prepare(url, data, label);
  const key = item.key;
  try {
    await enqueue(item);
  } catch {
    return { key, result: await sendUnqueued(item, on) };
  }
  owned.add(key);
  const result = await sendNow(key, on);
  if (result.kind === 'refused') await discard(key);
  return { key, result };
}

/** Sends again what a form on screen queued (its 重试上传). */
export async function resend(key: string, on: { progress?: (percent: number) => void; sent?: () => void } = {}) {
  const result = await sendNow(key, on);
  if (result.kind === 'refused') await discard(key);
  return result;
}

/** Whether the queue still holds this key (sent meanwhile in the background, it does not). */
export const stillQueued = async (key: string) => (await queued()).some((i) => i.key === key);

const BEIJING = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** 12月3日 08:05 in Beijing time, as the server's pages give times, whatever zone the phone is set to. */
export function clock(ms: number) {
  const part = Object.fromEntries(BEIJING.formatToParts(ms).map((p) => [p.type, p.value]));
  return `${part.month}月${part.day}日 ${part.hour}:${part.minute}`;
}

function describe(item: QueuedItem) {
  const photos = item.photos.length ? `${item.photos.length} 张照片` : '无照片';
  if (item.state === 'failed') return `上传失败（${photos}，${clock(item.createdAt)} 记录）：${item.lastError}`;
  const state = item.state === 'sending' ? '正在上传' : QUEUED;
  return `待上传：${photos}，${clock(item.createdAt)} 记录，${state}`;
}

/**
 * A note before `anchor` (the form, or the <details> it folds into) listing the work queued on this phone for `url`
 * that no form on screen speaks for; once such work has gone up, it says so, with a link to `then` if given.
 */
export function showQueued(url: string, anchor: Element, then?: string) {
  const note = document.createElement('p');
  note.className = 'queued-note';
  note.setAttribute('role', 'status');
  note.tabIndex = -1;
  note.hidden = true;
  anchor.before(note);
  const refresh = async () => {
    const items = (await queued()).filter((i) => i.url === url && !owned.has(i.key));
    if (!items.length) return;
    note.hidden = false;
    note.classList.toggle(
      'failed',
      items.some((i) => i.state === 'failed'),
    );
    note.replaceChildren(items.map(describe).join('；'));
  };
  window.addEventListener('upload-queue:change', () => void refresh());
  window.addEventListener('upload-queue:sent', (e) => {
    const { key, url: sentUrl } = (e as CustomEvent<{ key: string; url: string }>).detail;
    if (sentUrl !== url || owned.has(key)) return;
    note.hidden = false;
    note.classList.remove('failed');
    note.replaceChildren('已上传。');
    if (then) {
      const link = document.createElement('a');
      link.href = then;
      link.textContent = '查看';
      note.append(link);
    }
  });
  void refresh();
  return {
    note,
    /** The form's own work, kept on the phone, handed to the note: it follows it from now on. */
    async adopt(key: string) {
      owned.delete(key);
      await refresh();
      note.focus();
    },
  };
}
