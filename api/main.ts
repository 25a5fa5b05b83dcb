import { enableCompileCache } from 'node:module';

// `npm start`. V8's compiled code for the ~1,700 modules a start loads is kept between starts: a start on seeded data
// took 2.45 s of CPU instead of 2.85 s here. Node checks each entry against its source, not against tampering: the
// folder is NODE_COMPILE_CACHE's, else the system's temp folder, which the production unit makes private
// (docs/production.md). Enabled before anything else is imported, so that it covers them all.
enableCompileCache();
await import('./portal.ts');
