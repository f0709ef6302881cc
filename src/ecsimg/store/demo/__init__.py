"""The demo catalogue: the reference data every catalogue starts with, and the seeder."""
