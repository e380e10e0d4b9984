// sync-webgpu.ts for browser bundles (package.json's "browser" field maps one to the other): the
// webgpu mode drives Dawn from a Node worker thread, which a page does not have.
export class SyncWebGpuDevice {
  constructor(_maxOutputElements?: number) {
    throw new Error("gpujs backend: mode 'webgpu' runs Dawn in a Node worker thread and is not available in a browser; use mode 'gpu' (WebGL) there");
  }
}
