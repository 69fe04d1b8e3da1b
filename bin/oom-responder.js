#!/usr/bin/env node
// The command-line entry point. It runs the bundle `npm run build` makes (scripts/build-cli.mjs) while that is
// fresh, which starts without compiling anything; otherwise the TypeScript itself through tsx, so it works
// straight after `npm ci` with no build step (tsx caches what it compiles), and never runs code older than the
// sources.
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { freshBundle } from './fresh-bundle.mjs';
import { JIT_ENV, shortRunV8Flags } from './jit-flags.mjs';

// Before any of the CLI loads: a run lasts seconds, and V8's top tier costs more to compile than it gives back then.
const given = {
  execArgv: process.execArgv,
  nodeOptions: process.env.NODE_OPTIONS,
  jit: process.env[JIT_ENV],
};
for (const flag of shortRunV8Flags(process.versions.v8, given)) setFlagsFromString(flag);

const bundle = freshBundle(fileURLToPath(new URL('..', import.meta.url)));
let main;
if (bundle) ({ main } = await import(bundle));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
