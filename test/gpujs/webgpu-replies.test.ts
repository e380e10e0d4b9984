// The webgpu worker's request/reply channel: a reply that arrives after its caller gave up waiting must never
// be taken as the answer to the next request (every later answer would be one behind). No Dawn is needed:
// 'release' and 'download' are answered by the worker without a device.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkerConnection } from '../../backends/gpujs/sync-webgpu.js';

test('a late reply to a request that timed out is not taken for the next request', async () => {
  const connection = new WorkerConnection();
  try {
    // The worker is still starting (it loads tsx and gpu.js), so a zero wait always times out; its 'ok' comes later.
    assert.throws(() => connection.request({ type: 'release', handle: 1 }, 0), /no reply to 'release'/);
    // The next request's own answer is an error naming handle 999; the late 'ok' must be read past.
    assert.throws(() => connection.request({ type: 'download', handle: 999 }), /device array 999 was released or never made/);
    // And the channel stays in step afterwards.
    assert.is(connection.request({ type: 'release', handle: 2 }).ok, true);
  } finally {
    connection.shutDown();
  }
});

test.run();
