import { Hono } from 'hono';
import type { AppContext } from '../context.ts';

export function open311Routes(_ctx: AppContext) {
  return new Hono();
}
