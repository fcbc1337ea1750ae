"""The knowledge graph: store, vocabularies, reasoning, validation, export and the `kg` command."""
