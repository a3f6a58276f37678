"""Reading files: YAML with positions, validation into the model, settings, safe writes."""
