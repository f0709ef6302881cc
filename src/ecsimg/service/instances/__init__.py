"""Instance actions: run, describe, start, stop, delete, replace the system disk, types."""
