const KEY = "mkit.adminToken"

// A fragment pasted by hand may hold a stray `%`; take it as it is then.
const decoded = (fragment: string): string => {
  try {
    return decodeURIComponent(fragment)
  } catch {
    return fragment
  }
}

/**
 * The admin token: taken from the URL fragment (which browsers never send to a server), kept in
 * session storage only (gone with the tab), and removed from the address bar at once so it is not
 * copied along with the link or left in the history.
 */
export const takeToken = (): string | undefined => {
  const fragment = location.hash.slice(1)
  if (fragment !== "") {
    history.replaceState(null, "", location.pathname + location.search)
    const token = decoded(fragment).trim()
    if (token !== "") sessionStorage.setItem(KEY, token)
  }
  return sessionStorage.getItem(KEY) ?? undefined
}

/** Keeps a token typed into the sign-in form. */
export const saveToken = (token: string): void => sessionStorage.setItem(KEY, token)

/** Forgets the token (after the emulator refused it). */
export const forgetToken = (): void => sessionStorage.removeItem(KEY)
