/** The API's answer to a filed report (api/routes/complaints.ts). */
export interface ReceiptAnswer {
  trackingCode: string;
  townshipName: string;
  villageName: string | null;
  outsideVillages: boolean;
}

import { queuedNotice } from '../lib/receipt-text.ts';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, attrs: Record<string, string> = {}) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

/**
 * Shows the receipt in place of the form, from the API's answer: the tracking code is the
 * reporter's key, so it goes into no URL (history, referrers, logs), and the receipt page
 * cannot be asked about a guessed code.
 */
export function showReceipt(form: HTMLFormElement, r: ReceiptAnswer, acceptDays: number, followed = false): void {
  const card = el('section', undefined, { class: 'card', id: 'receipt', 'aria-labelledby': 'receipt-title' });
  const title = el('h2', followed ? '已关注办理进展' : '举报已提交', { id: 'receipt-title', tabindex: '-1' });
  const lead = el('p', '请保存好您的');
  lead.append(el('strong', '查询码'), '，用它查看处理进度和答复：');
  const code = el('p', `${r.trackingCode.slice(0, 5)}-${r.trackingCode.slice(5)}`, {
    class: 'code',
    id: 'tracking-code',
  });
  // A report that follows another is already merged into it: /track shows that one's progress.
  const where = el(
    'p',
    followed
      ? '您的举报已并入附近正在办理的同一作坊的举报，凭查询码可以查看它的办理进展。'
      : queuedNotice(r.townshipName, r.villageName, acceptDays),
    { class: 'muted' },
  );
  const row = el('div', undefined, { class: 'row' });
  row.append(
    el('a', '查看进度', { class: 'button', href: '/track' }),
    el('a', '再举报一起', { class: 'button secondary', href: '/report' }),
  );
  const hint = el('p', '提示：请截屏或抄下查询码，离开本页后不再显示。查询码不含您的个人信息。', { class: 'hint' });
  card.append(title, lead, code, where, row, hint);
  form.replaceWith(card);
  document.title = document.title.replace(/^[^·]*·/, '举报已提交 ·');
  title.focus();
}
