import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { listNotifications, markRead, unreadCount } from '../domain/accounts/notifications.ts';
import { recordId } from '../domain/shared/text-input.ts';

const readInput = z.object({
  ids: z.union(
    [z.literal('all'), z.array(recordId('通知')).min(1, '请选择要标为已读的通知').max(500, '一次最多标记 500 条通知')],
    { error: '请选择要标为已读的通知' },
  ),
});

/** Each account's own in-app notifications: reminders, urges, returned answers. */
export function adminNotificationRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/notifications', (c) => {
      const user = staff(c);
      return c.json({ unread: unreadCount(ctx.db, user.id), rows: listNotifications(ctx.db, user.id) });
    })
    .post('/notifications/read', async (c) => {
      const { ids } = await jsonBody(c, readInput);
      const user = staff(c);
      return c.json({ marked: markRead(ctx.db, user.id, ids, ctx.clock()), unread: unreadCount(ctx.db, user.id) });
    });
}
