"""The domain: pydantic models, errors, text normalisation and citation keys.

The bottom layer of Lectern. Every other package may import it; it imports nothing of ours.
"""
