// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/',
      'node_modules/',
      '.data/',
      'coverage/',
      'eslint.config.js',
      '.dependency-cruiser.cjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Other packages' documented APIs only: no private paths, no patched
    // prototypes, no edits of a router (docs/architecture.md).
    files: ['libs/sessions/src/**/*.ts', 'src/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Relative paths, Node's own modules and our `./testing` entry aside.
              regex:
                '^(?!\\.|node:|nest-sessions/testing$)(@[^/]+/[^/]+|[^@/][^/]*)/.+$',
              message:
                "Import a package by its name, not a path inside it: another package's files are its internals.",
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "AssignmentExpression > MemberExpression.left MemberExpression.object[property.name='prototype']",
          message: "Do not patch another class's prototype.",
        },
        {
          selector:
            "VariableDeclarator > MemberExpression.init[property.name='prototype'], VariableDeclarator > TSAsExpression.init MemberExpression[property.name='prototype']",
          message: "Do not take another class's prototype to change it.",
        },
        {
          selector:
            'CallExpression[callee.object.name=/^(Object|Reflect)$/][callee.property.name=/^(defineProperty|defineProperties|setPrototypeOf)$/]',
          message:
            'Do not define properties on, or swap the prototype of, objects the library does not own.',
        },
        {
          selector:
            "MemberExpression[property.name='stack'][object.property.name='router']",
          message: "Do not edit a router's stack.",
        },
      ],
    },
  },
  {
    // Jest's asymmetric matchers and Nest's getHttpServer() are typed `any`.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  prettier,
);
