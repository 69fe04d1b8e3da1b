#!/usr/bin/env node
// The command-line entry point. The CLI is TypeScript run through tsx, so it works straight after `npm ci`
// with no build step; tsx caches what it compiles.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
