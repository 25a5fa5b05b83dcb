// The header's 待上传 badge and its panel (UploadQueue.astro): what waits on this phone, redrawn on every change of
// the queue (in this tab or another), each upload's progress, and one status line read out as things go up or fail.

import { clock } from './field-save.ts';
import { discard, drain, type QueuedItem, queued, retry } from './offline-queue.ts';

const root = document.getElementById('upload-queue');
const toggle = document.getElementById('upload-queue-toggle') as HTMLButtonElement | null;
const panel = document.getElementById('upload-queue-panel');
const list = document.getElementById('upload-queue-items');
const status = document.getElementById('upload-queue-status');

function stateText(item: QueuedItem) {
  if (item.state === 'failed') return `上传失败：${item.lastError}`;
  if (item.state === 'sending') return '正在上传…';
  if (!item.lastError) return '等待上传';
  return `等待上传${item.tries ? `（已试 ${item.tries} 次）` : ''}：${item.lastError}`;
}

function button(text: string, run: () => void, secondary = false) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (secondary) b.className = 'secondary';
  b.addEventListener('click', run);
  return b;
}

function row(item: QueuedItem) {
  const li = document.createElement('li');
  li.dataset.key = item.key;
  li.className = item.state;
  const what = document.createElement('p');
  const name = document.createElement('strong');
  name.textContent = item.label;
  const photos = item.photos.length ? `${item.photos.length} 张照片` : '无照片';
  what.append(name, ` · ${photos} · ${clock(item.createdAt)} 记录`);
  const state = document.createElement('p');
  state.className = 'state';
  state.textContent = stateText(item);
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = 0;
  bar.hidden = true;
  bar.setAttribute('aria-label', `${item.label} 上传进度`);
  li.append(what, state, bar);
  const actions = document.createElement('div');
  actions.className = 'actions';
  if (item.state === 'failed') {
    actions.append(
      button('重试', () => void retry(item.key)),
      button(
        '放弃',
        () => {
          if (confirm(`放弃“${item.label}”？手机上的这条记录和 ${photos}将被删除，无法恢复。`)) void discard(item.key);
        },
        true,
      ),
    );
  }
  if (item.page !== location.pathname + location.search) {
    const link = document.createElement('a');
    link.href = item.page;
    link.textContent = '回到记录页';
    actions.append(link);
  }
  if (actions.childElementCount) li.append(actions);
  return li;
}

let lastCount = -1;
const seen = new Map<string, string>();
/** Read out once: a piece of work refused by the server. */
function announce(items: QueuedItem[]) {
  for (const item of items) {
    if (item.state === 'failed' && seen.get(item.key) !== 'failed') say(`上传失败：${item.label}，${item.lastError}`);
    seen.set(item.key, item.state);
  }
}

async function draw() {
  if (!root || !toggle || !panel || !list) return;
  const items = await queued();
  const failed = items.filter((i) => i.state === 'failed').length;
  // Open, it stays up once emptied, to say that all went up; closed, an empty queue shows nothing.
  root.hidden = items.length === 0 && panel.hidden;
  toggle.classList.toggle('has-failed', failed > 0);
  document.getElementById('upload-queue-count')!.textContent = items.length
    ? `待上传 ${items.length} 项${failed ? `（${failed} 项失败）` : ''}`
    : '已全部上传';
  const net = document.getElementById('upload-queue-net')!;
  net.textContent = !items.length
    ? '手机上的记录已全部上传。'
    : failed === items.length
      ? '服务器没有接收下面的记录，原因见各项：改正后可重试，或放弃。'
      : navigator.onLine === false
        ? '手机没有网络。记录已保存在手机上，有信号时自动上传。'
        : '记录已保存在手机上，正在或稍后自动上传。';
  list.replaceChildren(...items.map(row));
  (document.getElementById('upload-queue-send') as HTMLButtonElement).hidden = !items.some((i) => i.state !== 'failed');
  if (lastCount > 0 && items.length === 0) say('手机上的记录已全部上传');
  announce(items);
  lastCount = items.length;
}

function say(text: string) {
  if (status) status.textContent = text;
}

toggle?.addEventListener('click', () => {
  const open = panel!.hidden;
  panel!.hidden = !open;
  toggle.setAttribute('aria-expanded', String(open));
  void draw();
});
document.getElementById('upload-queue-close')?.addEventListener('click', () => {
  panel!.hidden = true;
  toggle!.setAttribute('aria-expanded', 'false');
  toggle!.focus();
  void draw();
});
document.getElementById('upload-queue-send')?.addEventListener('click', () => void drain(true));

window.addEventListener('upload-queue:change', () => void draw());
window.addEventListener('online', () => void draw());
window.addEventListener('offline', () => void draw());
window.addEventListener('upload-queue:progress', (e) => {
  const { key, percent } = (e as CustomEvent<{ key: string; percent: number }>).detail;
  const li = list?.querySelector<HTMLLIElement>(`li[data-key="${CSS.escape(key)}"]`);
  const bar = li?.querySelector('progress');
  if (!li || !bar) return;
  bar.hidden = false;
  bar.value = percent;
  li.querySelector('.state')!.textContent = `正在上传 ${percent}%`;
});
window.addEventListener('upload-queue:sent', (e) => {
  const { key } = (e as CustomEvent<{ key: string }>).detail;
  const label = list?.querySelector(`li[data-key="${CSS.escape(key)}"] strong`)?.textContent;
  if (label) say(`已上传：${label}`);
});
void draw();
