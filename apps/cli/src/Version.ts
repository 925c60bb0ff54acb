declare const __MKIT_VERSION__: string | undefined

/** The package version, inlined by the bundler (`0.0.0-dev` when run from source). */
export const version: string = typeof __MKIT_VERSION__ === "string" ? __MKIT_VERSION__ : "0.0.0-dev"
