import * as Args from "@effect/cli/Args"

/** The argument of `mkit schema`. */
export const schemaOptions = {
  body: Args.choice(
    [
      ["update-installation", "update-installation"],
      ["create-event", "create-event"]
    ] as const,
    { name: "body" }
  ).pipe(Args.withDescription("Which request body."))
}
