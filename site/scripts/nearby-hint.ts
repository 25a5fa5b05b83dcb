// "附近 N 条同类举报正在处理" under the report form's map, asked of /api/nearby-reports whenever the pin or the
// category changes (api/domain/public/nearby-hint.ts decides what is near and similar: DUPLICATE_RULE). Each report
// offered can be followed instead of filing a duplicate; the page gets an opaque token for that, never an id.

/** One report the server offers (api/domain/public/nearby-hint.ts NearbyItem). */
export interface NearbyItem {
  token: string;
  categoryCode: string;
  category: string;
  status: string;
  distance: string;
  month: string;
}

interface Answer {
  count: number;
  items: NearbyItem[];
  rule: { metres: number; days: number };
}

export const describeItem = (i: NearbyItem) =>
  `${i.category} · ${i.status} · ${i.distance} · ${Number(i.month.slice(0, 4))}年${Number(i.month.slice(5))}月`;

const node = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) => {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (className) n.className = className;
  return n;
};

/**
 * The hint in `box`: `ask` after the pin or category changes (at most one request in flight, the last question
 * wins); `onFollow` when the resident says a report is the same workshop.
 */
export function nearbyHint(box: HTMLElement, onFollow: (item: NearbyItem) => void) {
  let timer: number | undefined;
  let asked = 0;

  function render(a: Answer, similar: boolean) {
    if (a.count === 0) {
      box.replaceChildren();
      box.classList.add('hidden');
      return;
    }
    const head = node('p');
    head.append(
      node('strong', `附近 ${a.count} 条${similar ? '同类' : ''}举报正在处理`),
      `（${a.rule.metres} 米内、近 ${a.rule.days} 天）。如果是同一个作坊，不必重复举报，可以直接关注它的办理进展：`,
    );
    const list = node('ul', undefined, 'nearby-list');
    for (const item of a.items) {
      const li = node('li');
      const button = node('button', '这是同一个作坊，关注办理进展', 'secondary small');
      button.type = 'button';
      button.addEventListener('click', () => onFollow(item));
      li.append(node('span', describeItem(item)), button);
      list.append(li);
    }
    box.replaceChildren(head, list);
    if (a.count > a.items.length) box.append(node('p', `另有 ${a.count - a.items.length} 条未列出。`, 'hint'));
    box.classList.remove('hidden');
  }

  async function fetchNow(lat: number, lng: number, category: string) {
    const id = ++asked;
    const q = new URLSearchParams({ lat: lat.toFixed(6), lng: lng.toFixed(6) });
    if (category) q.set('category', category);
    try {
      const res = await fetch(`/api/nearby-reports?${q}`);
      if (!res.ok || id !== asked) return;
      render((await res.json()) as Answer, !!category);
    } catch {
      // Only a hint: without it the resident files as before.
    }
  }

  return {
    ask(lat: number, lng: number, category: string) {
      clearTimeout(timer);
      timer = window.setTimeout(() => void fetchNow(lat, lng, category), 350);
    },
  };
}
