"""Drivers of complaints to English local councils: cleaning, analysis and publishing."""
__version__ = "0.1.0"
