#!/usr/bin/env node
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { run } from "./Cli.js"
import { make as makeConsole } from "./TerminalConsole.js"

// Only what @effect/cli needs (not NodeContext, which also brings workers and a process executor).
const environment = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

run(process.argv).pipe(
  Effect.provide(environment),
  Effect.withConsole(makeConsole()),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // Exit explicitly: an idle keep-alive socket must not hold a finished command open.
    teardown: (exit) =>
      process.exit(Exit.isSuccess(exit) ? Number(exit.value) : Cause.isInterruptedOnly(exit.cause) ? 130 : 1)
  })
)
