// The gpu.js modes by name, apart from device.ts so that a CLI can list them without loading gpu.js.
export const GPUJS_MODES = ['gpu', 'cpu', 'webasm', 'headlessgl', 'webgpu'] as const;
export type GpuJsMode = (typeof GPUJS_MODES)[number];
