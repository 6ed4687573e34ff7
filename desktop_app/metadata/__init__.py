"""Online metadata completion: one pure resolver per service and the one polite HTTP client.

Each service module (``huggingface``, ``arxiv``, ``semanticscholar``, ``crossref``) builds
``ApiRequest`` values and parses responses into ``Candidate`` records; it never does I/O.
``client.PoliteClient`` sends requests (rate limits, retries, cache, cancellation);
``matching`` decides whether a candidate may be applied or only proposed.
Imports only ``desktop_app.domain`` and itself.
"""
