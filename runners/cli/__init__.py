"""The `alur` command line: `main` (the root group), one module per noun, `shared` helpers."""
