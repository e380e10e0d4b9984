/** The email classifier: a checkpoint of `npm start` picked from disk (its tokenizer.json too), and a pasted email. */
import { readPretrainedFiles, type CheckpointFiles } from './checkpoint-files.js';
import { byId, messageOf } from './dom.js';
import { classifyEmail } from './spam.js';

let picked: CheckpointFiles | null = null;

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
      if (!picked) throw new Error('email classifier: no checkpoint yet; pick its config.json, model.safetensors and tokenizer.json first');
      const verdict = classifyEmail(picked, byId<HTMLTextAreaElement>('e-text').value);
      byId('e-verdict').textContent = `${verdict.label} (P(spam) = ${verdict.spamProbability.toFixed(3)}, read ${verdict.tokensUsed} ${verdict.unit})`;
      // In full, for a test to compare with lsgrad predict.
      byId('e-verdict').dataset.spamProbability = String(verdict.spamProbability);
    } catch (error) {
      byId('e-verdict').textContent = messageOf(error);
      delete byId('e-verdict').dataset.spamProbability;
    }
  });
}
