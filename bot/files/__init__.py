"""Bank files: the importer interface (importer.py); formats arrive with the bank-files issue."""
