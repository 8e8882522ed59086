"""Readers and writers of .jpbundle, .jpresults and .jpcard files. No Qt."""
