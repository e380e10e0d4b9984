// The gpu.js modes by name, apart from device.ts so that a CLI can list them without loading gpu.js.
// webgl and webgl2 are a browser's GL; headlessgl is Node's (the `gl` package).
export const GPUJS_MODES = ['gpu', 'cpu', 'webasm', 'headlessgl', 'webgl', 'webgl2', 'webgpu'] as const;
export type GpuJsMode = (typeof GPUJS_MODES)[number];
