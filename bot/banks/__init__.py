"""Bank access: the directory of institutions and the connectors that reach them."""
