// Watches: (path, token) pairs per connection, matched against changed paths, filtered by
// what the watcher may read. Relative watches report relative paths.

export interface Watch {
  /** Canonical path or `@special` name. */
  readonly path: string;
  readonly token: string;
  /** Length of the home prefix plus '/' to strip from event paths, 0 for absolute watches. */
  readonly stripLen: number;
}

/** The path a watch reports for a change at `changed`. */
export function eventPath(w: Watch, changed: string): string {
  return w.stripLen && changed.length > w.stripLen ? changed.slice(w.stripLen) : changed;
}
