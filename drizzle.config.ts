import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./db/schema.ts', './db/schema-enforcement.ts', './db/schema-public.ts'],
  out: './db/migrations',
});
