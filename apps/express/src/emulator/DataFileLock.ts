import * as fs from "node:fs"

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const ownerOf = (lockPath: string): number | undefined => {
  try {
    const pid = Number(fs.readFileSync(lockPath, "utf8").trim())
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * An exclusive lock on a data file: `<file>.lock` holds the owner's pid. It is created complete
 * (written under a unique name, then hard-linked into place, which fails if the lock exists), so
 * another process never reads a half-written pid. A lock whose process is gone (a crash or `kill -9`)
 * is stale and taken over.
 */
export class DataFileLock {
  private released = false

  private constructor(private readonly lockPath: string) {}

  /** Takes the lock of `path`, or throws naming the path and the process that holds it. */
  static acquire(path: string): DataFileLock {
    const lockPath = `${path}.lock`
    const staged = `${lockPath}.${process.pid}.${Date.now()}`
    fs.writeFileSync(staged, `${process.pid}\n`)
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          fs.linkSync(staged, lockPath)
          return new DataFileLock(lockPath)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
            throw new Error(
              `data file ${path}: cannot create its lock ${lockPath}: ${(error as Error).message}`
            )
          }
        }
        const owner = ownerOf(lockPath)
        if (owner !== undefined && isAlive(owner)) {
          throw new Error(
            `data file ${path} is in use by process ${owner}${owner === process.pid ? " (this one)" : ""}; ` +
              `stop it first, or remove ${lockPath} if that process is not an emulator`
          )
        }
        // Stale: its owner is gone. Check once more right before removing, so a lock just taken
        // over by a third process is not removed from under it.
        if (ownerOf(lockPath) === owner) fs.rmSync(lockPath, { force: true })
      }
      throw new Error(`data file ${path}: could not take over the stale lock ${lockPath}`)
    } finally {
      fs.rmSync(staged, { force: true })
    }
  }

  /** Removes the lock (if it is still ours). */
  release(): void {
    if (this.released) return
    this.released = true
    if (ownerOf(this.lockPath) === process.pid) fs.rmSync(this.lockPath, { force: true })
  }
}
