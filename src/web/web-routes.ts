// Serves Herald's pages (the customer portal, Play and the operator console) and the browser
// modules they import. Everything comes from this origin: no CDN, no build step. Every page
// answer carries a strict Content-Security-Policy (scripts from this origin only, no inline
// script or style elements), so attacker-controlled text that slipped into markup could
// still not run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the pages' HTML, scripts and styles live. */
export const webRoot = join(import.meta.dirname, '..', '..', 'web');

export type WebOptions = {
  /** Origins allowed to embed the pages in a frame; none by default. */
  frameAncestors: readonly string[];
};

/** The page headers: a strict CSP, no referrer (the portal key must never leak), no sniffing. */
export function securityHeaders(options: WebOptions): Record<string, string> {
  const ancestors = options.frameAncestors.length ? options.frameAncestors.join(' ') : "'none'";
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
  return {
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
  };
}

const require = createRequire(import.meta.url);

/**
 * The third-party browser modules, read once from node_modules. Preact's hooks import the bare
 * specifier "preact", which a browser resolves only through an import map (an inline script,
 * which the CSP forbids); it is pointed at the file beside it instead.
 */
function vendorModules(): Map<string, { type: string; body: string }> {
  const read = (specifier: string) => readFileSync(require.resolve(specifier), 'utf8');
  const file = (name: string, path: string) => readFileSync(join(packageDir(name), path), 'utf8');
  const js = 'text/javascript; charset=utf-8';
  return new Map([
    ['preact.mjs', { type: js, body: read('preact') }],
    [
      'preact-hooks.mjs',
      { type: js, body: read('preact/hooks').replaceAll(/from\s*"preact"/g, 'from"./preact.mjs"') },
    ],
    ['htm.mjs', { type: js, body: file('htm', 'dist/htm.mjs') }],
    ['uplot.mjs', { type: js, body: file('uplot', 'dist/uPlot.esm.js') }],
    ['uplot.css', { type: 'text/css; charset=utf-8', body: file('uplot', 'dist/uPlot.min.css') }],
  ]);
}

/** The folder of an installed package (whose exports may not list the files wanted here). */
function packageDir(name: string): string {
  const main = require.resolve(name);
  const marker = `${sep}node_modules${sep}${name}${sep}`;
  return main.slice(0, main.lastIndexOf(marker) + marker.length);
}

/**
 * Registers the pages. `pages` maps a URL prefix (`/portal/`) to a folder of `web/`; a page
 * folder's `index.html` answers its prefix and any path below it that is not a file, so a
 * page can keep its own routes in the path (Play's `/play/{inbox}`).
 */
export async function registerWeb(
  app: FastifyInstance,
  options: WebOptions & { pages: Record<string, string> },
): Promise<void> {
  const headers = securityHeaders(options);
  const vendor = vendorModules();
  await app.register(async (web) => {
    // Pages and their files are public: what they show comes from the API, with the caller's
    // own token.
    web.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), auth: 'public' };
      // Pages are not API operations: kept out of the OpenAPI document.
      route.schema = { ...route.schema, hide: true };
    });
    web.addHook('onSend', async (_request, reply: FastifyReply, payload) => {
      reply.headers(headers);
      return payload;
    });
    web.get('/assets/vendor/:file', async (request, reply) => {
      const file = vendor.get((request.params as { file: string }).file);
      if (!file) return reply.callNotFound();
      return reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body);
    });
    await web.register(fastifyStatic, {
      root: join(webRoot, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      cacheControl: false,
    });
    for (const [prefix, folder] of Object.entries(options.pages)) {
      const root = join(webRoot, folder);
      const index = readFileSync(join(root, 'index.html'), 'utf8');
      const sendIndex = (_request: unknown, reply: FastifyReply) =>
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(index);
      await web.register(fastifyStatic, {
        root,
        prefix,
        decorateReply: false,
        index: ['index.html'],
        wildcard: false,
        cacheControl: false,
        serve: true,
      });
      // The static plugin answers the prefix itself with index.html, and each file.
      web.get(`${prefix}*`, async (request, reply) => {
        // A path with a file extension that is not a file is a 404, not the page.
        const rest = (request.params as { '*': string })['*'];
        if (/\.[a-z0-9]+$/i.test(rest)) return reply.callNotFound();
        return sendIndex(request, reply);
      });
    }
  });
}
