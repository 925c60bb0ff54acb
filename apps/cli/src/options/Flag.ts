import * as Options from "@effect/cli/Options"

/** An optional `--name <value>` text flag. */
export const optionalText = (name: string, value: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName(value),
    Options.withDescription(description),
    Options.optional
  )

/** An optional `--name <value>` integer flag. */
export const optionalInteger = (name: string, value: string, description: string) =>
  Options.integer(name).pipe(
    Options.withPseudoName(value),
    Options.withDescription(description),
    Options.optional
  )

/** An optional `--name <value>` secret flag: parsed into a `Redacted`, never printed. */
export const optionalSecret = (name: string, value: string, description: string) =>
  Options.redacted(name).pipe(
    Options.withPseudoName(value),
    Options.withDescription(description),
    Options.optional
  )

/** A `--name` switch. */
export const toggle = (name: string, description: string) =>
  Options.boolean(name).pipe(Options.withDescription(description))

/** An `--name <value>` integer flag with a default. */
export const integerWithDefault = (name: string, value: string, description: string, fallback: number) =>
  Options.integer(name).pipe(
    Options.withPseudoName(value),
    Options.withDescription(description),
    Options.withDefault(fallback)
  )
