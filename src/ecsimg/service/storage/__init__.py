"""Disk and snapshot actions: DescribeDisks, CreateSnapshot, DescribeSnapshots."""
