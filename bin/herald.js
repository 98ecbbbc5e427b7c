#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=192
// Runs the TypeScript entry point directly (Node 24 strips types). The heap limits keep a
// node's memory bounded (see docs/performance.md).
//
// `npx herald` and the npm scripts run it on the Node that `npm install` put in
// node_modules (the `node` package), whatever the system's Node: package.json declares no
// `engines`, so npm has nothing to warn about. Run directly by an older Node, it says so in
// one line instead of failing on the TypeScript.
//
// Node's compile cache keeps the stripped JavaScript (and V8's code cache) on disk, so from
// the second start on Node never loads its TypeScript stripper: about 17 MB less memory for
// the life of the process, and a faster start. It must be enabled before the first
// TypeScript module loads, hence this JavaScript entry point and the dynamic imports.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `herald: needs Node 22.18 or newer (this is ${process.version}); run it as \`npx herald\` from Herald's directory, which uses the Node that \`npm install\` installed`,
  );
  process.exit(1);
}
const { enableCompileCache } = await import('node:module');
enableCompileCache();
const { run } = await import('../src/cli/main.ts');
run(process.argv.slice(2));
