/** Set to `default` to leave V8's own tiering as it is. */
export declare const JIT_ENV: string;
/** The V8 flags for a run of the CLI (none when the user chose tiers or `OOM_RESPONDER_JIT=default`). */
export declare function shortRunV8Flags(
  v8Version: string,
  given?: { execArgv?: readonly string[]; nodeOptions?: string; jit?: string },
): string[];
