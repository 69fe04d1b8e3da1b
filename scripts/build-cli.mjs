// Bundle the CLI (cli/main.ts and what it imports, packages but zod left to node_modules) into dist/cli, so that
// bin/oom-responder.js starts without compiling TypeScript through tsx. The manifest written beside it lists every
// source the bundle was built from: the bin runs the bundle only while none of them changed (bin/fresh-bundle.mjs),
// so a stale bundle is never run. Plain JavaScript: it runs before anything is compiled (`npm run build`).
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_DIR, MANIFEST } from '../bin/fresh-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, BUNDLE_DIR);
const manifestPath = join(outdir, MANIFEST);
// A source changed from this second on may not be in the bundle: counting from the second's start keeps that
// true on file systems that store times to the second (the bin wants every source older than this).
const builtAt = Math.floor(Date.now() / 1000) * 1000;
// Without a manifest no bundle is run: a build that fails half way leaves the bin on tsx. The chunks of earlier
// builds go too, since their names change with their content.
rmSync(outdir, { recursive: true, force: true });

/**
 * `import.meta.url` of a bundled file would be the chunk's, in dist/cli, and paths resolved against it (the
 * package.json, the samples) would miss: each source gets its own location instead, relative to the chunk, so
 * the bundle still works when the checkout moves.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(context) {
    context.onLoad({ filter: /\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromChunk = relative(outdir, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * Packages stay in node_modules, loaded from there when a command needs them (the AWS SDK for drill), but zod,
 * which `parse` loads at start through the subscription-event schema: bundled, it starts about 30 ms sooner on
 * Node 24 than as its hundred-odd modules. Its files are in the manifest like the sources, so a new zod makes
 * the bundle stale.
 */
const packagesButZod = {
  name: 'packages-but-zod',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path === 'zod' || args.path.startsWith('zod/') ? undefined : { external: true },
    );
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: ['cli/main.ts'],
  outdir,
  bundle: true,
  // Each command stays its own chunk, imported when it runs (cli/main.ts), as under tsx.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  metafile: true,
  logLevel: 'warning',
  plugins: [packagesButZod, ownImportMetaUrl],
});

const sources = [
  ...Object.keys(result.metafile.inputs),
  'tsconfig.json',
  'package.json',
  'scripts/build-cli.mjs',
];
const inputs = sources.map((path) => ({ path, size: statSync(join(root, path)).size }));
const outputs = Object.keys(result.metafile.outputs).map((path) => relative(BUNDLE_DIR, path));
mkdirSync(dirname(manifestPath), { recursive: true });
writeFileSync(manifestPath, `${JSON.stringify({ builtAt, entry: 'main.js', inputs, outputs }, null, 2)}\n`);
console.log(`bundled the CLI from ${inputs.length} sources into ${BUNDLE_DIR}`);
