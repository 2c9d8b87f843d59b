import { defineConfig } from 'vitest/config';

/**
 * Two projects that run side by side: everything, and the Python-backed cases (`*.python.test.ts`: framework
 * containers that start a Python interpreter with scikit-learn or XGBoost), which are slow to start and are kept in
 * their own project so they can be run or skipped on their own (`vitest run --project python`).
 */
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  // The AWS SDK for JavaScript v3 warns once per process that its releases after January 2027 need Node ≥ 22; every
  // test file is its own process, so `npm test` printed it once per file that uses the SDK. This is the SDK's own
  // switch for it (@aws-sdk/core, emitWarningIfUnsupportedVersion); mlzone supports Node ≥ 20 on purpose.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'main', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['**/*.python.test.ts', '**/node_modules/**'] } },
      { test: { ...shared, name: 'python', include: ['src/**/*.python.test.ts', 'test/**/*.python.test.ts'] } },
    ],
  },
});
