import * as Command from "@effect/cli/Command"
import type * as Usage from "@effect/cli/Usage"
import * as Option from "effect/Option"
import type { Grammar } from "./CommandLine.js"
import type { CommandNode } from "./Commands.js"

const valueFlags = (usage: Usage.Usage): ReadonlyArray<string> => {
  switch (usage._tag) {
    case "Named":
      // Arguments are named too (`<body>`); only flags start with "-".
      return Option.isSome(usage.acceptedValues) ? usage.names.filter((name) => name.startsWith("-")) : []
    case "Optional":
    case "Repeated":
      return valueFlags(usage.usage)
    case "Alternation":
    case "Concat":
      return [...valueFlags(usage.left), ...valueFlags(usage.right)]
    default:
      return []
  }
}

/** The grammar of a command table: every command path, with the flags @effect/cli reads a value for. */
export const grammarOf = (root: CommandNode): Grammar => {
  const out: Record<string, ReadonlyArray<string>> = {}
  const visit = (node: CommandNode, path: string) => {
    out[path] = valueFlags(Command.getUsage(Command.make(node.name, node.options ?? {})))
    for (const child of node.children ?? []) visit(child, path === "" ? child.name : `${path} ${child.name}`)
  }
  visit(root, "")
  return out
}
