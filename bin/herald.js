#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=192
// Runs the TypeScript entry point directly (Node 24 strips types). The heap limits keep a
// node's memory bounded (see docs/performance.md).
//
// Node's compile cache keeps the stripped JavaScript (and V8's code cache) on disk, so from
// the second start on Node never loads its TypeScript stripper: about 17 MB less memory for
// the life of the process, and a faster start. It must be enabled before the first
// TypeScript module loads, hence this JavaScript entry point and the dynamic import.
import { enableCompileCache } from 'node:module';

enableCompileCache();
const { run } = await import('../src/cli/main.ts');
run(process.argv.slice(2));
