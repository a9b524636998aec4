"""Local stand-ins of the bank providers, each following its published API: one module per
provider, shared by the connector tests, the end-to-end tests and the benches."""
