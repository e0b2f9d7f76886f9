"""The lake: the only code that knows where and how Earshot's data lives on disk."""
