import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // `Data.TaggedError("Tag")<{}>` is the idiomatic way to declare an error without fields.
      "@typescript-eslint/no-empty-object-type": ["error", { allowObjectTypes: "always" }],
      "max-len": ["error", { code: 120, ignoreUrls: true }],
      "no-console": "error"
    }
  },
  {
    files: ["demo/**", "bench/**"],
    rules: { "no-console": "off" }
  }
)
