/** Where the bundle goes, from the repository root. */
export declare const BUNDLE_DIR: string;
/** The bundle's manifest file, in `BUNDLE_DIR`. */
export declare const MANIFEST: string;
/** The URL of the bundled CLI under `root` (the repository), or null when it is missing or stale. */
export declare function freshBundle(root: string): string | null;
