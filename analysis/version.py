"""The analyzer version written on every tag row. Bump it when taggers change: the next
``python -m analysis`` re-tags every mention, and queries read only rows of this version."""

ANALYZER_VERSION = "0.1.0"
