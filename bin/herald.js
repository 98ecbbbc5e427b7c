#!/usr/bin/env node
// Runs the TypeScript entry point directly (Node 24 strips types).
import { run } from '../src/cli/main.ts';

run(process.argv.slice(2));
