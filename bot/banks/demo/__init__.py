"""The built-in demo bank: deterministic, realistic French data (data/demo.toml)."""
