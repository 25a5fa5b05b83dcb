import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: [
    './db/schema.ts',
    './db/schema-enforcement.ts',
    './db/schema-public.ts',
    './db/schema-supervision.ts',
    './db/schema-reporter.ts',
    './db/schema-messages.ts',
    './db/schema-watch.ts',
    './db/schema-county.ts',
  ],
  out: './db/migrations',
});
