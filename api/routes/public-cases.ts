import { Hono } from 'hono';
import type { AppContext } from '../context.ts';

export function publicCaseRoutes(_ctx: AppContext) {
  return new Hono();
}
