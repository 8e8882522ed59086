"""Bundles: building each judge's encrypted, signed bundle, and the record of what was
issued (and sent). May import ``prepare``.
"""
