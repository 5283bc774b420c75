import { unitSuites } from "../behaviour/index.ts";

unitSuites("node");
