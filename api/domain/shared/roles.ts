import { ROLES, type Role } from '../../../db/schema.ts';

/**
 * Who may do what, as named sets of roles: the policy table (api/http/policy.ts), the services and
 * the pages all read these, so a rule changes in one place. A village officer or a department
 * member admitted by a set is still narrowed to his own rows by each domain's scope.
 */
export type Roles = readonly Role[];

/** Every staff account: the back office's pages that each scope narrows. */
export const STAFF: Roles = ROLES;
/** Accounts, the audit log, reply templates, API keys: the system administrator alone. */
export const ADMIN: Roles = ['admin'];
/** The township office (整治办): triages complaints, files enterprises, plans and accepts tasks, draws, writes cases. */
export const OFFICE: Roles = ['admin', 'triage'];
/**
 * Field work (evidence, submitting a task, revisits, night patrols): the office and a village officer on his own
 * village.
 */
export const FIELD: Roles = [...OFFICE, 'village'];
/**
 * The office's own records (draws, cases, tables): leaders read them too; never a village (no warning of a surprise
 * inspection) or a department.
 */
export const OFFICE_READ: Roles = [...OFFICE, 'leader'];
/** Night patrol logs: the office and leaders all, a village officer his village's; departments have none. */
export const PATROL_READ: Roles = [...FIELD, 'leader'];
/**
 * A file's evidence package (.zip for a penalty case): the office, leaders, and a department officer on a file his
 * department joins. Never a village officer: villages produce the evidence; the case file is built by those who
 * review it and those who enforce.
 */
export const EVIDENCE_EXPORTERS: Roles = [...OFFICE_READ, 'department'];
/**
 * The reporter's contact, with a reason and audited: only the office, who call reporters back; never a village,
 * department or leader.
 */
export const CONTACT_READERS: Roles = OFFICE;

/** Who answers a 交办 work item (签收, 反馈): the village's officer or the joining department, each on his own items. */
export const ASSIGNEES: Roles = ['village', 'department'];
/** A department's own records: 立案, 处罚决定, 移送公安. */
export const DEPARTMENT: Roles = ['department'];
/** Acting on a work item: the assignees sign, the office approves, returns and urges. */
export const ASSIGNMENT_ACTORS: Roles = [...OFFICE, ...ASSIGNEES];
/**
 * Who keeps his open work on the phone (the work app's offline set): field work and the answering of work items, so
 * the office, villages and departments; not leaders, who read and record nothing in the field.
 */
export const OFFLINE_WORKERS: Roles = [...FIELD, ...DEPARTMENT];

export const hasRole = (user: { role: Role }, roles: Roles) => roles.includes(user.role);
/** Who plans and accepts the work, as against who does it. */
export const isOffice = (user: { role: Role }) => hasRole(user, OFFICE);
export const canSeeContact = (user: { role: Role }) => hasRole(user, CONTACT_READERS);
