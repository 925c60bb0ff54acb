import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type EmulatorServer, startEmulatorServer } from "@marketplace-kit/express"

/** One token for every test installation, distinctive so a leak would be easy to spot. */
export const TOKEN = "mkit_outbox_test_token_5be1"

/** `icfg_outbox_0001` … : ids of the test installations. */
export const installationIds = (count: number): Array<string> =>
  Array.from({ length: count }, (_, i) => `icfg_outbox_${String(i + 1).padStart(4, "0")}`)

/** An emulator on 127.0.0.1 (free port) knowing `count` installations, all on `TOKEN`. */
export const startEmulator = (count = 4, options: Parameters<typeof startEmulatorServer>[0] = {}) =>
  startEmulatorServer({
    installations: installationIds(count).map((id) => ({ id, token: TOKEN })),
    ...options
  })

/** A fresh temporary directory and its removal. */
export const tempDir = (): { readonly dir: string; readonly remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "mkit-outbox-"))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The write log of an emulator as `installation → [body or event]` in the order received. */
export const logByInstallation = (server: EmulatorServer): Map<string, Array<unknown>> => {
  const byInstallation = new Map<string, Array<unknown>>()
  for (const entry of server.emulator.state.events()) {
    const list = byInstallation.get(entry.installationId) ?? []
    list.push(entry.operation === "updateInstallation" ? entry.body : entry.event)
    byInstallation.set(entry.installationId, list)
  }
  return byInstallation
}
