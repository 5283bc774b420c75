/** The dashboard's entry: styles and the app. */
import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { App } from "./views/App.tsx";

render(<App />, document.getElementById("app") as HTMLElement);
