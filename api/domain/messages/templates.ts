import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { type MessageChannel, messageTemplates } from '../../../db/schema-messages.ts';
import { placeholders } from './render.ts';

/**
 * What a reporter is told about (issue 17): his own report's acceptance, a public reply, its resolution, and a reward
 * approved for it (to be claimed with the code before its deadline).
 */
export const REPORTER_EVENTS = ['accepted', 'replied', 'resolved', 'rewarded'] as const;
export type ReporterEvent = (typeof REPORTER_EVENTS)[number];

export interface TemplateText {
  channel: MessageChannel;
  subject: string;
  body: string;
  /** The SMS provider's approved template (模板 CODE): the gateway sends its own text with our params. */
  smsTemplateCode: string | null;
}

interface TemplateSpec extends TemplateText {
  label: string;
  /** The only {placeholders} the text may use; an SMS gateway is sent these params and no others. */
  params: readonly string[];
}

/**
 * A reporter's message names his report by the day he filed it and its category, never by the tracking code: a
 * phone's messages are read by others, and the code opens the report. Details are on /track, behind the code.
 */
const REPORTER_PARAMS = ['date', 'category', 'township', 'link'] as const;
const STAFF_PARAMS = ['text', 'link'] as const;
const SIGNATURE = '{township}“散乱污”整治办';

const reporter = (event: ReporterEvent, label: string, what: string, code: string): [string, TemplateSpec][] => [
  [
    `reporter.${event}.email`,
    {
      label: `举报人 · ${label} · 邮件`,
      channel: 'email',
      params: REPORTER_PARAMS,
      subject: `您的举报${what}`,
      body:
        `您好：\n\n您于 {date} 提交的举报（{category}）${what}。\n\n` +
        '详情请凭查询码到 {link} 查看。为保护您的信息，本邮件不含查询码，请勿回复。\n\n' +
        SIGNATURE,
      smsTemplateCode: null,
    },
  ],
  [
    `reporter.${event}.sms`,
    {
      label: `举报人 · ${label} · 短信`,
      channel: 'sms',
      params: REPORTER_PARAMS,
      subject: '',
      body: `您于{date}提交的举报（{category}）${what}，请凭查询码到 {link} 查看。【${SIGNATURE}】`,
      smsTemplateCode: code,
    },
  ],
];

/** The defaults; an admin's edit (message_templates) replaces a template's text, as reply templates do. */
export const DEFAULT_MESSAGE_TEMPLATES: Record<string, TemplateSpec> = Object.fromEntries([
  ...reporter('accepted', '受理', '已受理，我们将尽快核查处理', 'SMS_REPORT_ACCEPTED'),
  ...reporter('replied', '答复', '有了新的答复', 'SMS_REPORT_REPLIED'),
  ...reporter('resolved', '办结', '已办结，感谢您的监督', 'SMS_REPORT_RESOLVED'),
  ...reporter('rewarded', '奖励', '经核实获得举报奖励，请在申领期限内凭查询码申领', 'SMS_REPORT_REWARDED'),
  [
    'staff.notice.email',
    {
      label: '工作人员 · 工作台通知 · 邮件',
      channel: 'email',
      params: STAFF_PARAMS,
      subject: '工作台通知：{text}',
      body: '{text}\n\n请登录工作台处理：{link}\n\n（本邮件由系统发出，请勿回复。）',
      smsTemplateCode: null,
    },
  ],
  [
    'staff.notice.sms',
    {
      label: '工作人员 · 工作台通知 · 短信',
      channel: 'sms',
      params: STAFF_PARAMS,
      subject: '',
      body: '{text}，请登录工作台处理：{link}',
      smsTemplateCode: 'SMS_STAFF_NOTICE',
    },
  ],
]);

export const reporterTemplate = (event: ReporterEvent, channel: MessageChannel) => `reporter.${event}.${channel}`;
export const staffTemplate = (channel: MessageChannel) => `staff.notice.${channel}`;

export const templateParams = (key: string): readonly string[] => DEFAULT_MESSAGE_TEMPLATES[key]?.params ?? [];

/** A template as it will be sent: the admin's text if he edited it, else the default. */
export function loadTemplate(db: Db | Tx, key: string): TemplateText | null {
  const spec = DEFAULT_MESSAGE_TEMPLATES[key];
  if (!spec) return null;
  const row = db.select().from(messageTemplates).where(eq(messageTemplates.key, key)).get();
  const { channel, subject, body, smsTemplateCode } = row ?? spec;
  return { channel, subject, body, smsTemplateCode };
}

export function listMessageTemplates(db: Db) {
  const rows = new Map(
    db
      .select()
      .from(messageTemplates)
      .all()
      .map((r) => [r.key, r]),
  );
  return Object.entries(DEFAULT_MESSAGE_TEMPLATES).map(([key, spec]) => {
    const row = rows.get(key);
    return {
      key,
      label: spec.label,
      channel: spec.channel,
      params: spec.params,
      subject: row?.subject ?? spec.subject,
      body: row?.body ?? spec.body,
      smsTemplateCode: row ? row.smsTemplateCode : spec.smsTemplateCode,
      edited: !!row,
      updatedAt: row?.updatedAt ?? null,
    };
  });
}

export interface TemplateEdit {
  subject: string;
  body: string;
  smsTemplateCode: string | null;
}

export type SaveResult = { ok: true } | { ok: false; status: 400 | 404; message: string };

/** Saves an admin's edit; each {placeholder} must be one of the template's params (400 names the first that is not). */
export function saveMessageTemplate(tx: Tx, key: string, edit: TemplateEdit, userId: number, now: Date): SaveResult {
  const spec = DEFAULT_MESSAGE_TEMPLATES[key];
  if (!spec) return { ok: false, status: 404, message: '没有这个消息模板' };
  for (const [field, text] of [
    ['标题', edit.subject],
    ['正文', edit.body],
  ] as const) {
    const unknown = placeholders(text).find((p) => !spec.params.includes(p));
    if (unknown !== undefined)
      return {
        ok: false,
        status: 400,
        message: `${field}里的 {${unknown}} 不是这个模板的参数，可用：${spec.params.map((p) => `{${p}}`).join('、')}`,
      };
  }
  if (spec.channel === 'email' && !edit.subject.trim()) return { ok: false, status: 400, message: '请填写邮件标题' };
  if (spec.channel === 'sms' && !edit.smsTemplateCode)
    return { ok: false, status: 400, message: '请填写短信模板 CODE（短信服务商审核通过的模板编号）' };
  const values = {
    channel: spec.channel,
    subject: spec.channel === 'email' ? edit.subject : '',
    body: edit.body,
    smsTemplateCode: spec.channel === 'sms' ? edit.smsTemplateCode : null,
    updatedAt: now,
    updatedBy: userId,
  };
  tx.insert(messageTemplates)
    .values({ key, ...values })
    .onConflictDoUpdate({ target: messageTemplates.key, set: values })
    .run();
  return { ok: true };
}
