/** Files of the `.dash` store: each experiment's `files/` folder, kept by the SDK's own file store. */
import type { FileInfo } from "../../../files/types.ts";
import type { RunStoreFiles } from "../../store/files.ts";
import type { FileRecord } from "../../store/records.ts";
import type { ExperimentEntry } from "./registry.ts";
import { fileFolderRecord } from "./nodes.ts";
import type { DashState } from "./state.ts";

/** The files part of the `.dash` store. */
export function dashFiles(state: DashState): RunStoreFiles {
  const { files } = state;
  const record = (e: ExperimentEntry, f: FileInfo): FileRecord => ({ ...f, parentId: files.folderId(e, f.path) });
  return {
    async files(ref) {
      const e = await state.entry(ref);
      return (await files.records(e)).map((f) => record(e, f));
    },
    async saveFile(ref, request, options = {}) {
      const e = await state.entry(ref);
      return record(e, await files.save(e, request, options.idempotencyKey));
    },
    async readFile(ref, file) {
      return files.store(await state.entry(ref)).stream(file);
    },
    async updateFile(ref, id, patch) {
      const e = await state.entry(ref);
      return record(e, await files.store(e).update(id, patch));
    },
    async deleteFile(ref, id, options = {}) {
      return files.store(await state.entry(ref)).delete(id, options.deletedAt);
    },
    async fileFolderPath(ref, parentId) {
      return files.pathOf(await state.entry(ref), parentId);
    },
    async upsertFileFolder(ref, parentPath, name) {
      return fileFolderRecord(files.upsertFolder(await state.entry(ref), parentPath, name));
    },
  };
}
