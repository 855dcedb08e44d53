"""I/O of the reference service other than its stores: the default set's files (default_set.py)."""
