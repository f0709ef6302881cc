"""Image actions: describe, create, copy, import, export, share, modify, tag, delete, load."""
