import { defineConfig } from 'vitest/config';

/**
 * Two projects that run side by side: everything, and the Python-backed cases (`*.python.test.ts`: framework
 * containers that start a Python interpreter with scikit-learn or XGBoost), which are slow to start and are kept in
 * their own project so they can be run or skipped on their own (`vitest run --project python`).
 */
const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'main', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['**/*.python.test.ts', '**/node_modules/**'] } },
      { test: { ...shared, name: 'python', include: ['src/**/*.python.test.ts', 'test/**/*.python.test.ts'] } },
    ],
  },
});
