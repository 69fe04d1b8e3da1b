import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_DIR, freshBundle, MANIFEST } from '../../bin/fresh-bundle.mjs';

/** A checkout with two sources and a bundle built from them, every file dated `at` seconds after the build. */
let root: string;
const builtAt = 1_800_000_000_000;
const sources = { 'cli/main.ts': 'export const a = 1;\n', 'functions/core/x.ts': 'export const b = 2;\n' };

function put(path: string, text: string, secondsAfterBuild: number): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  const at = (builtAt + secondsAfterBuild * 1000) / 1000;
  utimesSync(file, at, at);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fresh-bundle-'));
  for (const [path, text] of Object.entries(sources)) put(path, text, -60);
  put(`${BUNDLE_DIR}/main.js`, 'export {};\n', 1);
  put(`${BUNDLE_DIR}/chunk-A.js`, 'export {};\n', 1);
  const inputs = Object.entries(sources).map(([path, text]) => ({ path, size: Buffer.byteLength(text) }));
  const manifest = { builtAt, entry: 'main.js', inputs, outputs: ['main.js', 'chunk-A.js'] };
  put(`${BUNDLE_DIR}/${MANIFEST}`, JSON.stringify(manifest), 1);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('freshBundle', () => {
  it('gives the bundle while every source is older than the build', () => {
    expect(freshBundle(root)).toBe(pathToFileURL(join(root, BUNDLE_DIR, 'main.js')).href);
  });

  it('refuses the bundle once a source is touched after the build, or in the second it started', () => {
    put('functions/core/x.ts', sources['functions/core/x.ts'], 5);
    expect(freshBundle(root)).toBeNull();
    put('functions/core/x.ts', sources['functions/core/x.ts'], 0);
    expect(freshBundle(root)).toBeNull();
  });

  it('refuses the bundle when a source changed size though its time was kept (a copy that keeps times)', () => {
    put('cli/main.ts', 'export const a = 10;\n', -60);
    expect(freshBundle(root)).toBeNull();
  });

  it('refuses the bundle when a source, an output or the manifest is gone, or an output is older', () => {
    rmSync(join(root, 'cli/main.ts'));
    expect(freshBundle(root)).toBeNull();
    put('cli/main.ts', sources['cli/main.ts'], -60);
    expect(freshBundle(root)).not.toBeNull();
    put(`${BUNDLE_DIR}/chunk-A.js`, 'export {};\n', -1);
    expect(freshBundle(root)).toBeNull();
    rmSync(join(root, BUNDLE_DIR, 'chunk-A.js'));
    expect(freshBundle(root)).toBeNull();
    rmSync(join(root, BUNDLE_DIR, MANIFEST));
    expect(freshBundle(root)).toBeNull();
  });

  it('refuses a manifest that is not JSON', () => {
    put(`${BUNDLE_DIR}/${MANIFEST}`, '{"builtAt":', 1);
    expect(freshBundle(root)).toBeNull();
  });
});
