// Only what the compiler cannot see: a promise nobody awaits. The domain is asynchronous over the
// storage port (db/storage.ts), and a forgotten `await` there reorders writes and loses errors.
import tseslint from "typescript-eslint";

export default tseslint.config({
  files: ["src/**/*.ts", "db/**/*.ts", "test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
  languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  plugins: { "@typescript-eslint": tseslint.plugin },
  rules: {
    "@typescript-eslint/no-floating-promises": "error",
    "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false, attributes: false } }],
    "@typescript-eslint/await-thenable": "error",
  },
});
