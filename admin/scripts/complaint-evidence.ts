// The complaint page's closing evidence for /track: pick a work photo, box what must be blurred, save a public copy.
import { callApi } from './admin.ts';
import { setUpBlurEditor } from './blur-editor.ts';

const complaintId = document.getElementById('blur-editor')?.dataset.complaint;
type Target = { sourceKind: string; sourceId: string };
const editor = complaintId
  ? setUpBlurEditor<Target>(async (target, regions) => {
      const r = await callApi(`/api/admin/complaints/${complaintId}/track-photos`, 'POST', {
        ...target,
        blur: regions,
      });
      return r.ok ? null : (r.data?.error?.message ?? '保存失败，请重试');
    })
  : null;

if (editor) {
  document.addEventListener('click', (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-track-pick]');
    if (!b) return;
    editor.open(
      b.dataset.src!,
      [],
      { sourceKind: b.dataset.source!, sourceId: b.dataset.trackPick! },
      '查询页照片：框出要模糊的区域',
    );
  });
}
