// gpu.js, an optional peer dependency of lsgrad/gpujs, loaded synchronously so that importing the
// plugin without it fails at once with the command that fixes it, rather than a bare resolution
// error from deep inside node_modules. Browser bundles get gpujs-package.browser.ts instead
// (package.json's "browser" field), a plain import that the bundler resolves.
import { createRequire } from 'node:module';

type GpuJsPackage = typeof import('gpu.js');

function loadGpuJs(): GpuJsPackage {
  try {
    return createRequire(import.meta.url)('gpu.js') as GpuJsPackage;
  } catch (error) {
    const missing = (error as { code?: string }).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes("'gpu.js'");
    if (!missing) throw error;
    throw new Error("lsgrad/gpujs needs the gpu.js package, an optional peer dependency of lsgrad: npm install gpu.js", { cause: error });
  }
}

export const { GPU } = loadGpuJs();
