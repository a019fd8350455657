import js from '@eslint/js';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'native/build/**',
      'web/vendor/**',
      'docs/api/**',
      '.cache/**',
      'runs/**',
      'src/**/*.as.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  // Type-aware rules over every TypeScript file (src, test, bench, scripts: tsconfig.json's
  // program, found by the project service).
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Template strings print shapes as `[${shape}]` on purpose (an array joins with commas).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true }],
      // Off, with the reason. The no-unsafe-* family flags every use of an `any` value; those
      // values come from JSON, the native addon and onnxruntime at the module boundaries, and
      // no-explicit-any already warns where they are declared.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Error messages echo user-supplied values of unknown type with String(value) on purpose.
      '@typescript-eslint/no-base-to-string': 'off',
      // `1 | 2 | typeof Infinity | null` lists the accepted norms for the reader, though `number` absorbs them.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // Interface implementations (corpus loaders, classifiers) are async without awaiting.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
