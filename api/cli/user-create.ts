// npm run user:create -- --username chen --name 陈受理 --role triage [--village CODE] [--department CODE]
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { createContext } from '../context.ts';
import { getEnv } from '../env.ts';
import { createAccount } from '../domain/accounts/accounts.ts';
import { departments, ROLES, villages, type Role } from '../../db/schema.ts';

const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', default: 'admin' },
    village: { type: 'string' },
    department: { type: 'string' },
  },
});
const fail = (message: string) => {
  console.error(message);
  process.exit(2);
};
if (!values.username)
  fail(
    [
      'usage: npm run user:create -- --username NAME [--name 显示名]',
      '[--role admin|triage|village|department|leader] [--village CODE] [--department CODE]',
    ].join(' '),
  );
if (!ROLES.includes(values.role as Role)) fail(`role must be one of ${ROLES.join(', ')}`);

const ctx = await createContext(getEnv());
const villageId = values.village
  ? ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, values.village)).get()?.id
  : null;
const departmentId = values.department
  ? ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, values.department)).get()?.id
  : null;
if (values.village && !villageId) fail(`no village with code ${values.village}`);
if (values.department && !departmentId) fail(`no department with code ${values.department}`);
const result = await createAccount(
  ctx.db,
  { id: null, label: '命令行' },
  {
    username: values.username!,
    displayName: values.name ?? values.username!,
    role: values.role as Role,
    villageId,
    departmentId,
  },
);
if (!result.ok) fail(result.message);
else {
  const who = `${values.username} (${values.role})`;
  console.log(`created ${who}; one-time password, to be changed at first login:\n  ${result.value.oneTimePassword}`);
}
