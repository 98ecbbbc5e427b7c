#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=192
// Runs the TypeScript entry point directly (Node 24 strips types). The heap limits keep a
// node's memory bounded (see docs/performance.md).
import { run } from '../src/cli/main.ts';

run(process.argv.slice(2));
