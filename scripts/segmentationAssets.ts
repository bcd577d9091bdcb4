/**
 * A Vite plugin that puts the person-segmentation model beside a built page (issue 21): the
 * loader, WebAssembly and model files that `@mediapipe/selfie_segmentation` ships, copied as
 * they are into `segmentation/` of the build output. The participant page fetches them from
 * its own server (`/p/segmentation/…`), the console from `app://confidant/segmentation/…`:
 * nothing is loaded from any other host. Only the files the landscape model needs are copied
 * (src/client/backdrop.ts asks for modelSelection 1); the loader picks the SIMD build or the
 * plain one by what the browser supports, so both are shipped.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

export const SEGMENTATION_DIR = 'segmentation';

export const SEGMENTATION_FILES = [
  'selfie_segmentation.js',
  'selfie_segmentation.binarypb',
  'selfie_segmentation_landscape.tflite',
  'selfie_segmentation_solution_simd_wasm_bin.js',
  'selfie_segmentation_solution_simd_wasm_bin.wasm',
  'selfie_segmentation_solution_simd_wasm_bin.data',
  'selfie_segmentation_solution_wasm_bin.js',
  'selfie_segmentation_solution_wasm_bin.wasm',
] as const;

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@mediapipe/selfie_segmentation/package.json'));
}

export function segmentationAssets(): Plugin {
  return {
    name: 'confidant-segmentation-assets',
    apply: 'build',
    generateBundle() {
      const dir = packageDir();
      for (const file of SEGMENTATION_FILES) {
        this.emitFile({ type: 'asset', fileName: `${SEGMENTATION_DIR}/${file}`, source: readFileSync(path.join(dir, file)) });
      }
    },
  };
}
