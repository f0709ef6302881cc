"""Widgets of the main screen: header, tabs, image list, details and fee panes."""
