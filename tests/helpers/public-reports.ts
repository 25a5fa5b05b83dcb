import { join } from 'node:path';
import Database from 'better-sqlite3';
import { demoSession } from './browser.ts';
import type { PortalProcess } from './portal-process.ts';

/**
 * Reports worked by the office on a running portal, for the browser tests of the public map and the nearby hint:
 * filed as a resident does, then accepted, assigned or resolved by triage over HTTP.
 */
export function officeOf(portal: PortalProcess) {
  const db = new Database(join(portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
  const row = (code: string) =>
    db.prepare('select id, version, village_id AS villageId from complaints where tracking_code = ?').get(code) as {
      id: number;
      version: number;
      villageId: number;
    };

  async function file(fields: Record<string, string>): Promise<string> {
    const res = await fetch(`${portal.base}/api/complaints`, { method: 'POST', body: new URLSearchParams(fields) });
    if (res.status !== 201) throw new Error(`filing refused: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { trackingCode: string }).trackingCode;
  }

  async function act(code: string, action: Record<string, unknown>): Promise<void> {
    const sid = await demoSession(portal, 'shouli');
    const r = row(code);
    const body = action.action === 'assign' ? { villageId: r.villageId, departmentIds: [], ...action } : action;
    const res = await fetch(`${portal.base}/api/admin/complaints/${r.id}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
      body: JSON.stringify({ version: r.version, ...body }),
    });
    if (res.status !== 200) throw new Error(`${String(action.action)} refused: ${res.status} ${await res.text()}`);
  }

  /** Files a report and brings it to `status` through the office's actions. */
  async function worked(fields: Record<string, string>, status: 'accepted' | 'assigned' | 'resolved', reply?: string) {
    const code = await file(fields);
    await act(code, { action: 'accept', ...(reply && { reply }) });
    if (status !== 'accepted') await act(code, { action: 'assign' });
    if (status === 'resolved') await act(code, { action: 'resolve' });
    return code;
  }

  return { file, act, worked, row, close: () => db.close() };
}
