"""The Textual user interface: the only part of ecsimg that imports Textual."""
