/**
 * A TensorFlow.js `tf.io.IOHandler` over the files API, without importing tfjs: `save` stores
 * `model.json` (tfjs's model JSON with a `weightsManifest` pointing at `weights.bin`) and the
 * weights as files of the run; `load` reads them back into `ModelArtifacts`. Usable with
 * `model.save(handler)`, `tf.loadLayersModel(handler)` and `tf.loadGraphModel(handler)`.
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import { concatBytes } from "../internal/bytes.ts";
import type { FileBuilderOptions, FileInfo, SaveOptions } from "./types.ts";

/**
 * tfjs's `ModelArtifacts`, declared here so that this handler is a `tf.io.IOHandler` without
 * importing tfjs. The `any`s stand for tfjs types (`WeightsManifestEntry`, `TrainingConfig`)
 * that we store and hand back untouched.
 */
export interface TfjsModelArtifacts {
  modelTopology?: {} | ArrayBuffer;
  weightSpecs?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  signature?: {};
  userDefinedMetadata?: { [key: string]: {} };
  modelInitializer?: {};
  initializerSignature?: {};
}

/** tfjs's `SaveResult`. */
export interface TfjsSaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: "JSON" | "GraphDef";
    modelTopologyBytes?: number;
    weightSpecsBytes?: number;
    weightDataBytes?: number;
  };
}

/** A `tf.io.IOHandler` (save + load). */
export interface TfjsIOHandler {
  save(artifacts: TfjsModelArtifacts): Promise<TfjsSaveResult>;
  load(): Promise<TfjsModelArtifacts>;
}

/** The folder operations the handler needs (the files API's builder on the model's folder). */
export interface TfjsModelFolder {
  saveText(text: string, options: SaveOptions): Promise<FileInfo>;
  saveBlob(data: Uint8Array, options: SaveOptions): Promise<FileInfo>;
  list(pattern?: string): Promise<FileInfo[]>;
  readonly dir: string;
}

const WEIGHTS = "weights.bin";
const OPTIONAL_KEYS = ["format", "generatedBy", "convertedBy", "trainingConfig", "signature", "userDefinedMetadata", "modelInitializer", "initializerSignature"] as const;

function concat(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (!Array.isArray(data)) return new Uint8Array(data);
  return concatBytes(data.map((b) => new Uint8Array(b)));
}

/** Builds the handler for the model folder `folder`; saves carry the builder's annotations. */
export function tfjsHandler(folder: TfjsModelFolder, annotations: FileBuilderOptions, readFile: (f: FileInfo) => Promise<Uint8Array>): TfjsIOHandler {
  const ann: SaveOptions = { ...(annotations.description !== undefined ? { description: annotations.description } : {}), ...(annotations.tags ? { tags: annotations.tags } : {}), ...(annotations.metadata ? { metadata: annotations.metadata } : {}) };
  return {
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ValidationError("The ml-dash tfjs handler saves JSON model topologies only (a GraphDef topology was given)", { field: "modelTopology" });
      }
      const weights = concat(artifacts.weightData);
      const json: Record<string, unknown> = { modelTopology: artifacts.modelTopology };
      for (const k of OPTIONAL_KEYS) if (artifacts[k] !== undefined) json[k] = artifacts[k];
      json["weightsManifest"] = [{ paths: [`./${WEIGHTS}`], weights: artifacts.weightSpecs ?? [] }];
      const text = JSON.stringify(json);
      await folder.saveBlob(weights, { ...ann, to: WEIGHTS });
      await folder.saveText(text, { ...ann, to: "model.json" });
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? null).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load() {
      const files = (await folder.list()).filter((f) => f.path === folder.dir);
      const byName = new Map(files.map((f) => [f.filename, f]));
      const modelFile = byName.get("model.json");
      if (!modelFile) throw new NotFoundError(`No tfjs model at ${folder.dir}: model.json is missing`);
      const json = JSON.parse(new TextDecoder().decode(await readFile(modelFile))) as Record<string, unknown> & {
        weightsManifest?: { paths: string[]; weights: unknown[] }[];
      };
      const artifacts: TfjsModelArtifacts = { modelTopology: json["modelTopology"] as {} };
      for (const k of OPTIONAL_KEYS) if (json[k] !== undefined) (artifacts as Record<string, unknown>)[k] = json[k];
      const specs: unknown[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          const name = p.replace(/^\.\//, "");
          const f = byName.get(name);
          if (!f) throw new NotFoundError(`tfjs model at ${folder.dir}: weights file ${name} is missing`);
          buffers.push(await readFile(f));
        }
      }
      artifacts.weightSpecs = specs;
      const all = concat(buffers.map((b) => b.slice().buffer as ArrayBuffer));
      artifacts.weightData = all.buffer as ArrayBuffer;
      return artifacts;
    },
  };
}
