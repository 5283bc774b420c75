import { behaviourSuite } from "../behaviour/index.ts";
import { memoryFixture, nodeFsFixture } from "../support/node-fixtures.ts";

behaviourSuite("memory", memoryFixture);
behaviourSuite("node-fs", nodeFsFixture);
