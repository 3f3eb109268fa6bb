// ESLint for src/, test/ and esbuild.js (`npm run lint`, and the lint stage of `npm test`).
// typescript-eslint reads the types through the TypeScript project service (tsconfig.json), so the
// promise rules know which calls return a promise.
// ESLint's recommended rules, plus the ones that catch real bugs in an extension: a promise nobody
// awaits fails silently in the extension host; a `console.log` in src/ goes nowhere a user can see (use the
// "PingOne" log channel, src/platform/log.ts); a `!` on a setting, a response or a message turns a
// missing value into a crash far from its cause.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // test/fixtures/lint/ holds code that must fail lint on purpose (test/unit/lint.test.ts).
    ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', '.sandbox-data/', 'test-results/', 'media/', 'test/fixtures/'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended, tseslint.configs.base, tseslint.configs.eslintRecommended],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['esbuild.js', 'eslint.config.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc reports unused locals and parameters (noUnusedLocals, noUnusedParameters).
      'no-unused-vars': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      eqeqeq: ['error', 'always'],
      // `let x; onCleanup(() => x?.close()); x = await start()` registers the cleanup before the
      // start on purpose; a const cannot express that.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // Plain Node scripts in CommonJS.
    files: ['esbuild.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
