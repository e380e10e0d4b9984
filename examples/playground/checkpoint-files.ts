/**
 * A checkpoint picked in a file dialog: its config and its .safetensors file, whatever the browser
 * named them when it downloaded them (a second download of config.json arrives as `config (1).json`),
 * and the tokenizer.json and tokenizer_config.json that lsgrad train writes beside them, if picked
 * (special_tokens_map.json repeats tokenizer_config.json's names and is left out).
 */
import type { PretrainedFiles } from 'lsgrad/nn';

/** What the page's File objects offer (and what a test can build without a DOM). */
export interface PickedFile {
  readonly name: string;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A checkpoint's model files, and its tokenizer's when they were picked (a byte-level model needs none). */
export interface CheckpointFiles extends PretrainedFiles {
  readonly 'tokenizer.json'?: string;
  readonly 'tokenizer_config.json'?: string;
}

/** The picked files named `stem`.json, also as a browser renames a second download: `stem (1).json`. */
function namedJson(files: readonly PickedFile[], stem: string): PickedFile[] {
  const pattern = new RegExp(`^${stem}( ?\\(\\d+\\))?\\.json$`, 'i');
  return files.filter((file) => pattern.test(file.name));
}

/** The one picked file named `stem`.json (renamed or not), or undefined; two of them are refused by name. */
function optionalJson(reader: string, files: readonly PickedFile[], stem: string): PickedFile | undefined {
  const found = namedJson(files, stem);
  if (found.length > 1) {
    throw new Error(`${reader}: picked ${found.map((file) => file.name).join(', ')}; expected at most one ${stem}.json, the one beside config.json`);
  }
  return found[0];
}

/**
 * The checkpoint of the picked files, matched by extension (and name, for the tokenizer's).
 * @example await readPretrainedFiles('email classifier', [...input.files])
 */
export async function readPretrainedFiles(reader: string, files: readonly PickedFile[]): Promise<CheckpointFiles> {
  const withExtension = (extension: string) => files.filter((file) => file.name.toLowerCase().endsWith(extension));
  const jsons = withExtension('.json');
  // With several .json files (a whole checkpoint folder), the config is the one named config.json, renamed or not.
  const configs = jsons.length > 1 ? namedJson(jsons, 'config') : jsons;
  const weights = withExtension('.safetensors');
  if (configs.length !== 1 || weights.length !== 1) {
    const names = files.length === 0 ? 'no file' : files.map((file) => file.name).join(', ');
    throw new Error(`${reader}: picked ${names}; expected config.json and model.safetensors of one checkpoint, renamed or not (tokenizer files may come along)`);
  }
  // A single .json file is the config, whatever its name (as before tokenizer files were read).
  const others = jsons.length > 1 ? jsons : [];
  const tokenizer = optionalJson(reader, others, 'tokenizer');
  const tokenizerConfig = optionalJson(reader, others, 'tokenizer_config');
  return {
    'config.json': await configs[0]!.text(),
    'model.safetensors': new Uint8Array(await weights[0]!.arrayBuffer()),
    ...(tokenizer && { 'tokenizer.json': await tokenizer.text() }),
    ...(tokenizerConfig && { 'tokenizer_config.json': await tokenizerConfig.text() }),
  };
}
