"""The OpenAPI description and what is built from it: spec checks, the breaking-change diff,
code generation, the second (TypeScript) generator, and the contract run against the stack."""
