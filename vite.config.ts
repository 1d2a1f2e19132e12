import { defineConfig } from 'vite';

/** The dashboard: `web/` built into `dist/web/`, served by `tighten serve`. Everything bundled, nothing inline. */
export default defineConfig({
  root: 'web',
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
