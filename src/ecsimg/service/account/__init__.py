"""The account's surroundings: its regions, and the keys that sign as its profiles."""
