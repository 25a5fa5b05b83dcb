import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { BusyError } from '../../api/domain/shared/busy.ts';
import { onError } from '../../api/http/errors.ts';

describe('a busy server', () => {
  it('answers 503 with its Chinese reason and Retry-After, not a 500', async () => {
    const app = new Hono();
    app.onError(onError);
    app.get('/busy', () => {
      throw new BusyError('考核统计正忙，请稍后再试', 7);
    });
    app.get('/fault', () => {
      throw new Error('a bug');
    });
    const busy = await app.request('/busy');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('7');
    expect(await busy.json()).toEqual({ error: { message: '考核统计正忙，请稍后再试' } });
    expect((await app.request('/fault')).status).toBe(500);
  });
});
