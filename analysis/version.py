"""The analyzer version written on every tag row. Bump it when taggers change: the next
``python -m analysis`` re-tags every mention, and queries read only rows of this version.

``SHIPPED_MODELS_DIGEST`` is the digest of ``analysis/models`` that this version ships with; a
test fails when the models change without it (and a new version) changing too.
"""

ANALYZER_VERSION = "0.2.0"
SHIPPED_MODELS_DIGEST = "ad8dea4f4c73c5a2"
