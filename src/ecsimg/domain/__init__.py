"""Pure domain: models, identifiers, validation and fees; no I/O."""
