import { and, eq, type SQL } from 'drizzle-orm';
import { cases } from '../../../db/schema-public.ts';
import type { AtLevel } from '../shared/township-scope.ts';
import { townshipCondition } from '../shared/township-scope.ts';

/** The typical cases an office or leader account may see: its township's (by the case's village); the county all. */
export const caseScope = (user: AtLevel): SQL | undefined => townshipCondition(user, { village: cases.villageId });

/** One case, if this account may see it. */
export const visibleCase = (user: AtLevel, id: number) => and(eq(cases.id, id), caseScope(user));
