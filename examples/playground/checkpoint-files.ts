/**
 * A checkpoint picked in a file dialog: its config and its .safetensors file, whatever the browser
 * named them when it downloaded them (a second download of config.json arrives as `config (1).json`).
 * The tokenizer files lsgrad train writes beside them may be picked too; they are left out.
 */
import type { PretrainedFiles } from 'lsgrad/nn';

/** What the page's File objects offer (and what a test can build without a DOM). */
export interface PickedFile {
  readonly name: string;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The checkpoint of the picked files, matched by extension.
 * @example await readPretrainedFiles('email classifier', [...input.files])
 */
export async function readPretrainedFiles(reader: string, files: readonly PickedFile[]): Promise<PretrainedFiles> {
  const withExtension = (extension: string) => files.filter((file) => file.name.toLowerCase().endsWith(extension));
  const jsons = withExtension('.json');
  // With several .json files (a whole checkpoint folder), the config is the one named config.json, renamed or not.
  const configs = jsons.length > 1 ? jsons.filter((file) => /^config( ?\(\d+\))?\.json$/i.test(file.name)) : jsons;
  const weights = withExtension('.safetensors');
  if (configs.length !== 1 || weights.length !== 1) {
    const names = files.length === 0 ? 'no file' : files.map((file) => file.name).join(', ');
    throw new Error(`${reader}: picked ${names}; expected config.json and model.safetensors of one checkpoint, renamed or not (tokenizer files may come along)`);
  }
  return { 'config.json': await configs[0]!.text(), 'model.safetensors': new Uint8Array(await weights[0]!.arrayBuffer()) };
}
