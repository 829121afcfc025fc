"""The API kit every app's API is built with: error bodies and their schema, pagination,
throttles, permissions, the conditional-GET view mixin, the schema's link post-processing.

It imports no app of ours (``tests/test_import_boundaries.py``), so any app may use it and the
REST framework's settings point here rather than into one app.
"""
