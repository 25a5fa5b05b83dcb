import type { Db } from '../../../db/client.ts';
import { replyTemplates } from '../../../db/schema.ts';
import { audit, type Actor } from '../accounts/audit.ts';

/** The default answers to reporters; admin edits them, staff edit each one before it is sent. */
export const DEFAULT_TEMPLATES: Record<string, string> = {
  accept: '您的举报已受理。我们将尽快核查处理，请凭查询码关注进展。',
  reject: '经审核，您的举报不予受理，理由见上。如有新的线索，欢迎再次举报。',
  merge: '您反映的问题已有其他群众举报，我们已合并处理，进展将在此同步。',
  assign: '您的举报已交由属地村（社区）和有关部门核查处理。',
  resolve: '您反映的问题已处理完毕。感谢您的监督！',
  extend: '因核查工作需要，办理期限已延长，我们会尽快办结。',
  reopen: '您的举报已重新办理。',
};

export function listTemplates(db: Db): Record<string, string> {
  const rows = db.select().from(replyTemplates).all();
  return { ...DEFAULT_TEMPLATES, ...Object.fromEntries(rows.map((r) => [r.action, r.body])) };
}

export function saveTemplate(db: Db, actor: Actor, action: string, body: string, now = new Date()): void {
  db.transaction((tx) => {
    tx.insert(replyTemplates)
      .values({ action, body, updatedAt: now, updatedBy: actor.id })
      .onConflictDoUpdate({ target: replyTemplates.action, set: { body, updatedAt: now, updatedBy: actor.id } })
      .run();
    audit(
      tx,
      actor,
      { action: 'template.update', objectType: 'reply_template', objectId: action, details: { body } },
      now,
    );
  });
}
