// Which CLI the bin runs: the bundle of scripts/build-cli.mjs while it is fresh, else the TypeScript through tsx.
// Plain JavaScript, since it decides before anything can compile TypeScript.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the bundle goes, from the repository root. */
export const BUNDLE_DIR = 'dist/cli';
/** The bundle's manifest: when it was built, from which sources (with their sizes), into which files. */
export const MANIFEST = 'manifest.json';

/**
 * The URL of the bundled CLI under `root` (the repository), or null when it is missing or stale: stale when any
 * source it was built from is gone, changed size, or was modified at or after the build started (a checkout,
 * an edit), so that code older than the sources never runs. One stat per source, about a millisecond.
 *
 * @param {string} root
 * @returns {string | null}
 */
export function freshBundle(root) {
  const dir = join(root, BUNDLE_DIR);
  /** @type {{ builtAt: number, entry: string, inputs: { path: string, size: number }[], outputs: string[] }} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
  try {
    for (const input of manifest.inputs) {
      const stat = statSync(join(root, input.path));
      if (stat.mtimeMs >= manifest.builtAt || stat.size !== input.size) return null;
    }
    for (const output of manifest.outputs) {
      if (statSync(join(dir, output)).mtimeMs < manifest.builtAt) return null;
    }
  } catch {
    return null;
  }
  return pathToFileURL(join(dir, manifest.entry)).href;
}
