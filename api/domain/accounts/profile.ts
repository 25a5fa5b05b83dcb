import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema.ts';
import { emailAddress, mobileNumber, orNone } from '../shared/contact-input.ts';
import { audit } from './audit.ts';
import type { StaffUser } from './sessions.ts';

// A back-office checkbox sends its value when ticked and nothing when not (admin/scripts/admin.ts).
const ticked = z
  .union([z.boolean(), z.enum(['1', 'on', 'true', '0', 'false', ''])], { error: '通知方式的取值不正确' })
  .optional()
  .transform((v) => v === true || v === '1' || v === 'on' || v === 'true');

/** Where a staff member's notices also go (issue 17): his own e-mail and phone, and the channels he chose. */
export const profileInput = z
  .object({
    email: orNone(emailAddress('电子邮箱')),
    phone: orNone(mobileNumber('手机号')),
    notifyEmail: ticked,
    notifySms: ticked,
  })
  .superRefine((p, ctx) => {
    if (p.notifyEmail && !p.email)
      ctx.addIssue({ code: 'custom', path: ['email'], message: '要用邮件接收通知，请填写电子邮箱' });
    if (p.notifySms && !p.phone)
      ctx.addIssue({ code: 'custom', path: ['phone'], message: '要用短信接收通知，请填写手机号' });
  });
export type ProfileInput = z.output<typeof profileInput>;

export function getProfile(db: Db, userId: number) {
  return db
    .select({ email: users.email, phone: users.phone, notifyEmail: users.notifyEmail, notifySms: users.notifySms })
    .from(users)
    .where(eq(users.id, userId))
    .get();
}

/** Saves a staff member's own channels; audited without the addresses themselves. */
export function saveProfile(db: Db, user: StaffUser, input: ProfileInput, now: Date): void {
  db.transaction((tx) => {
    tx.update(users)
      .set({ ...input, updatedAt: now })
      .where(eq(users.id, user.id))
      .run();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'user.profile',
        objectType: 'user',
        objectId: user.id,
        details: {
          email: !!input.email,
          phone: !!input.phone,
          notifyEmail: input.notifyEmail,
          notifySms: input.notifySms,
        },
      },
      now,
    );
  });
}
