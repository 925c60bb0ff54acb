import * as fs from "node:fs"
import { basename, dirname, join, resolve } from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { UsageError } from "./UsageError.js"

/** Where `--failed` lines go: a temporary file beside the target, renamed over it when complete. */
export interface FailedFile {
  readonly path: string
  /** Appends lines (each gets a `\n`). */
  readonly write: (lines: ReadonlyArray<string>) => Effect.Effect<void, UsageError>
  /** Flushes the file to disk and renames it over `path`, so readers see the old file or the whole new one. */
  readonly commit: Effect.Effect<void, UsageError>
}

const fail = (path: string, cause: unknown) =>
  new UsageError({
    message: `--failed: cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`
  })

/** Whether two paths name one file, existing or not (for refusing `--failed` or `--state` on the input). */
export const isSameFile = (a: string, b: string): boolean => {
  const real = (path: string) => {
    try {
      return fs.realpathSync(path)
    } catch {
      return resolve(path)
    }
  }
  return real(a) === real(b)
}

/**
 * Opens `--failed` for writing before anything is sent, so an unwritable target fails the command
 * up front; the temporary file is removed if the command ends without `commit`.
 */
export const open = (path: string): Effect.Effect<FailedFile, UsageError, Scope.Scope> =>
  Effect.gen(function* () {
    if (fs.existsSync(path) && fs.statSync(path).isDirectory()) return yield* fail(path, "is a directory")
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
    let closed = false
    let renamed = false
    const fd = yield* Effect.acquireRelease(
      Effect.try({ try: () => fs.openSync(temporary, "w", 0o644), catch: (cause) => fail(path, cause) }),
      (opened) =>
        Effect.sync(() => {
          if (!closed) fs.closeSync(opened)
          if (!renamed) fs.rmSync(temporary, { force: true })
        })
    )
    if (fs.existsSync(path)) {
      yield* Effect.try({
        try: () => fs.accessSync(path, fs.constants.W_OK),
        catch: (cause) => fail(path, cause)
      })
    }
    return {
      path,
      write: (lines) =>
        Effect.try({
          try: () => {
            if (lines.length > 0) fs.writeSync(fd, `${lines.join("\n")}\n`)
          },
          catch: (cause) => fail(path, cause)
        }),
      commit: Effect.try({
        try: () => {
          fs.fsyncSync(fd)
          closed = true
          fs.closeSync(fd)
          fs.renameSync(temporary, path)
          renamed = true
        },
        catch: (cause) => fail(path, cause)
      })
    }
  })
