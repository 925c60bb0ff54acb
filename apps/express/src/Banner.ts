import type { EmulatorServer } from "./EmulatorServer.js"

/**
 * The dashboard's address with the admin token in the fragment, which opens it signed in: browsers
 * never send a fragment to the server, and the page moves it into session storage at once.
 */
export const dashboardLink = (server: EmulatorServer): string =>
  `${server.url}/_emulator/ui#${encodeURIComponent(server.emulator.adminToken)}`

/**
 * What a started emulator tells its user: where it listens, which installations it serves, the
 * inspection API and the dashboard. Tokens are shown only for the built-in demo seed (they are public
 * and needed to try it); a seed file's tokens and an admin token that was given are never printed.
 * A generated admin token goes into the dashboard link's fragment, which the browser never sends.
 */
export const emulatorBanner = (
  server: EmulatorServer,
  options: { readonly adminTokenGiven: boolean }
): Array<string> => {
  const { emulator } = server
  const { dataFile } = emulator
  const installations = emulator.usesDemoSeed
    ? [
        "demo installations (built-in seed; pass --seed <file> for your own):",
        ...emulator.installations.map(({ id, token }) => `  ${id}  token: ${token}`)
      ]
    : [`installations: ${emulator.installations.map(({ id }) => id).join(", ")}`]
  // A generated admin token is printed, since nothing else could tell it.
  const admin = options.adminTokenGiven ? "" : `  admin token: ${emulator.adminToken}`
  return [
    `listening on ${server.url}`,
    ...installations,
    `inspection API: ${server.url}/_emulator${admin}`,
    options.adminTokenGiven
      ? `dashboard: ${server.url}/_emulator/ui (sign in with your admin token)`
      : `dashboard: ${dashboardLink(server)}`,
    ...(dataFile === undefined
      ? []
      : [
          `data file: ${dataFile.path} (${dataFile.replayed} ${dataFile.replayed === 1 ? "write" : "writes"} replayed)`,
          ...(dataFile.cut === undefined
            ? []
            : [`data file: cut ${dataFile.cut.bytes} bytes at its end: ${dataFile.cut.reason}`])
        ])
  ]
}
