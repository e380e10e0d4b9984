/** The email classifier: a checkpoint of `npm start` picked from disk, and a pasted email. */
import type { PretrainedFiles } from 'lsgrad/nn';
import { readPretrainedFiles } from './checkpoint-files.js';
import { byId, messageOf } from './dom.js';
import { classifyEmail } from './spam.js';

let picked: PretrainedFiles | null = null;

export function setUpEmailPanel(): void {
  const input = byId<HTMLInputElement>('e-files');
  input.addEventListener('change', async () => {
    picked = null;
    try {
      picked = await readPretrainedFiles('email classifier', [...(input.files ?? [])]);
      byId('e-verdict').textContent = 'checkpoint ready';
    } catch (error) {
      byId('e-verdict').textContent = messageOf(error);
    }
  });
  byId('e-classify').addEventListener('click', () => {
    try {
      if (!picked) throw new Error('email classifier: no checkpoint yet; pick its config.json and model.safetensors first');
      const verdict = classifyEmail(picked, byId<HTMLTextAreaElement>('e-text').value);
      byId('e-verdict').textContent = `${verdict.label} (P(spam) = ${verdict.spamProbability.toFixed(3)}, read ${verdict.bytesUsed} bytes)`;
    } catch (error) {
      byId('e-verdict').textContent = messageOf(error);
    }
  });
}
