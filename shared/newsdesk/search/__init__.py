"""Full-text search over every article (DESIGN.md section 1): the query language, the index.

newsdesk.search.query parses what clients type (pure); newsdesk.search.index keeps the SQLite
FTS5 index file (the packaged SQLite of the layer, imported only when search runs). Replacing
the single-file index (e.g. by OpenSearch Serverless) means another implementation of
newsdesk.search.index's interface: SearchIndex.search / more_like_this / apply.
"""
