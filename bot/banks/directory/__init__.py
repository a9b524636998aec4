"""The bank directory: searchable by name, accent- and typo-tolerant, with brands, aliases and
regional groups kept as data (data/)."""
