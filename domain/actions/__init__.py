"""The action catalogue: one module per oVirt action, and the registry mapping types to them."""
