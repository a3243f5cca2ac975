"""Format readers (import) and writers (export), streaming, one module per format."""
