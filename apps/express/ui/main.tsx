import { render } from "preact"
import { App } from "./App.js"
import { takeToken } from "./Session.js"

render(<App initialToken={takeToken()} />, document.getElementById("app")!)
