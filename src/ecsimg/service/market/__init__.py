"""Marketplace purchases and DescribePrice."""
